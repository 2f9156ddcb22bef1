/** `npm start`: the whole product on this machine. Ctrl-C stops it cleanly; the data stays under DATA_DIR. */
import { startBanner } from '../shared/local/banner.js';
import { progressWriter } from '../shared/local/progress.js';
import { startLocal } from '../shared/local/server.js';

// Node 20 is supported here (Lambda runs 22); the SDK's advance notice about its own future support is noise locally.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const started = Date.now();
const local = await startLocal();
// Score every night not yet scored (the whole demo history on first start), then the 02:00 timer takes over.
const progress = progressWriter(process.stderr, '计算服务温度 scoring');
const nights = await local.scoreNow((r, done, total) => {
  if (total > 1) progress(done, total, r.day);
});
console.log(startBanner(local, { ms: Date.now() - started, nights: nights.length }));

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
