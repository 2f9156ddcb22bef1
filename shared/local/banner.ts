/** What `npm start` prints once it runs: every URL in it must answer 200 (test/start-urls.test.ts walks them). */
import type { TLocalServer } from './server.js';

export function startBanner(
  local: Pick<TLocalServer, 'url' | 'config' | 'demo'> & Partial<Pick<TLocalServer, 'mailer'>>,
  info: { ms: number; nights: number },
): string {
  const { demo } = local;
  const mail = local.mailer ? `  工作人员邮件 Staff e-mail:              ${local.mailer.where}\n` : '';
  return `
服务温度 Service Temperature is running (${info.ms} ms) · data: ${local.config.DATA_DIR} · scored ${info.nights} night(s)
  居民评价页 Survey (fresh demo ticket):  ${demo.surveyUrl}
  窗口评价牌 Placard page (window 1):     ${demo.placardUrl}
  网上/电话办件评价 Rate a matter:         ${local.url}/rate
  公开页 Public page · 大厅屏 lobby board: ${local.url}/p/${demo.hallId} · ${local.url}/p/${demo.hallId}/board
  管理端 Dashboard (demo sign-in):        ${demo.dashboardUrl}
  接口文档 API docs:                      ${demo.docsUrl}
  健康检查 Health:                        ${local.url}/health
${mail}  服务温度 Scores:  npm run report -- --hall ${demo.hallId}   (nightly at 02:00 ${local.config.SCORING_TIMEZONE})
  演示接口密钥 Demo API key (hall ${demo.hallId}): ${demo.apiKey}
    try: curl -H "Authorization: Bearer ${demo.apiKey}" ${local.url}/api/v1/hall
Press Ctrl-C to stop.`;
}
