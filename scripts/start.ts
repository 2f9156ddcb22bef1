/** `npm start`: the whole product on this machine. Ctrl-C stops it cleanly; the data stays under DATA_DIR. */
import { startLocal } from '../shared/local/server.js';

// Node 20 is supported here (Lambda runs 22); the SDK's advance notice about its own future support is noise locally.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const started = Date.now();
const local = await startLocal();
const { demo } = local;
// Score every night not yet scored (the whole demo history on first start), then the 02:00 timer takes over.
const nights = await local.scoreNow((r, done, total) => {
  if (total > 1) process.stderr.write(`\r计算服务温度 scoring ${done}/${total} ${r.day}${done === total ? '\n' : ''}`);
});
console.log(`
服务温度 Service Temperature is running (${Date.now() - started} ms) · data: ${local.config.DATA_DIR} · scored ${nights.length} night(s)
  居民评价页 Survey (fresh demo ticket):  ${demo.surveyUrl}
  窗口评价牌 Placard page (window 1):     ${demo.placardUrl}
  管理端 Dashboard (demo sign-in):        ${demo.dashboardUrl}
  接口文档 API docs:                      ${demo.docsUrl}
  健康检查 Health:                        ${local.url}/health
  服务温度 Scores:  npm run report -- --hall ${demo.hallId}   (nightly at 02:00 ${local.config.SCORING_TIMEZONE})
  演示接口密钥 Demo API key (hall ${demo.hallId}): ${demo.apiKey}
    try: curl -H "Authorization: Bearer ${demo.apiKey}" ${local.url}/api/v1/hall
Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await local.close();
    process.exit(0);
  });
}
