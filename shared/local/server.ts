/**
 * The whole product on one machine: the embedded engine (dynalite, on disk under DATA_DIR or in memory), the
 * table, the key ring, the demo data on first start, and the same Hono app served by @hono/node-server.
 */
import { serve, type ServerType } from '@hono/node-server';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type TConfig } from '../config.js';
import { generateKeyringJson, parseKeyring } from '../domain/keyring.js';
import { newApiKey } from '../domain/privacy.js';
import { localDay, addDays } from '../domain/time.js';
import { newTicketId, signPlacard, signTicket } from '../domain/tokens.js';
import { createApp } from '../http/app.js';
import { dashboardRoutes } from '../http/routes/dashboard.js';
import { buildDashboardAssets } from './assets.js';
import type { TLog } from '../log.js';
import { consoleLog } from './console-log.js';
import { createDynamoClient } from '../storage/client.js';
import { openTable, type TTable } from '../storage/db.js';
import { ensureTable } from '../storage/schema.js';
import { scoreThrough, type TNightResult } from '../scoring/job.js';
import { announceEngine, runningEngine, withdrawEngine } from './data.js';
import { startDynalite } from './engine.js';
import { scheduleNightly, yesterdayIn } from './nightly.js';
import { localMailer, scheduleNotify, type TLocalMailer } from './mail.js';
import { notifyTick, type TTickResult } from '../services/notify.js';
import { SEED_MARKER, seedDemo } from './seed.js';
import { getMarker } from '../storage/meta.js';
import { getHallCatalogue } from '../storage/catalogue.js';
import { migrate, migrateCases, migrateNotify, migrateOpenedCases } from '../storage/migrate.js';
import { countIssuedTicket } from '../storage/tickets.js';

export interface TLocalServer {
  url: string;
  config: TConfig;
  /** The table handle the storage module functions take. */
  table: TTable;
  /** Scores every night not yet scored up to yesterday (what the 02:00 timer calls). */
  scoreNow(onDay?: (r: TNightResult, done: number, total: number) => void): Promise<TNightResult[]>;
  demo: { hallId: string; apiKey: string; surveyUrl: string; placardUrl: string; docsUrl: string; dashboardUrl: string };
  /** The app the socket serves (for app.request() in tests). */
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
  /** where staff e-mail goes (SMTP, DATA_DIR/outbox, or memory) */
  mailer: TLocalMailer;
  /** one notification tick now (tests, demos) */
  notifyNow(): Promise<TTickResult>;
}

const inMemory = (dir: string) => dir === ':memory:';

/** A secret that must survive restarts (so printed codes stay valid): read it from DATA_DIR, or create it there. */
function persisted(dataDir: string, file: string, create: () => string): string {
  if (inMemory(dataDir)) return create();
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return value;
}

export async function startLocal(env: Record<string, string | undefined> = process.env, log?: TLog): Promise<TLocalServer> {
  const config = loadConfig({ APP_ENV: 'local', ...env });
  log ??= consoleLog(config.LOG_LEVEL);
  const dataDir = inMemory(config.DATA_DIR) ? ':memory:' : resolve(config.DATA_DIR);
  if (!inMemory(dataDir)) mkdirSync(dataDir, { recursive: true });

  if (!inMemory(dataDir)) {
    const other = await runningEngine(dataDir);
    if (other)
      throw new Error(
        `Service Temperature is already running on ${dataDir} (process ${other.pid}). Stop it first, or use another DATA_DIR.`,
      );
  }
  const engine = await startDynalite({ path: inMemory(dataDir) ? undefined : join(dataDir, 'dynalite') });
  if (!inMemory(dataDir)) announceEngine(dataDir, engine.endpoint);
  const client = createDynamoClient({ endpoint: engine.endpoint });
  await ensureTable(client, config.TABLE_NAME);
  const table = openTable(client, config.TABLE_NAME);
  const keyring = parseKeyring(config.KEYRING ?? persisted(dataDir, 'keyring.json', () => generateKeyringJson()));
  const apiKey = config.SEED_API_KEY ?? persisted(dataDir, 'demo-api-key.txt', newApiKey);

  let marker = await getMarker(table, SEED_MARKER);
  if (!marker) {
    const started = Date.now();
    const seeded = await seedDemo(table, { today: localDay(Date.now(), 'Asia/Shanghai'), apiKey, days: config.SEED_DAYS });
    log.info('seeded demo data', { ratings: seeded.ratings, halls: seeded.data.halls.length, ms: Date.now() - started });
    marker = await getMarker(table, SEED_MARKER);
  }
  // Data stored before the national-scale indexes (issue 15) gets them once: the tree index, users' claims, the
  // users by scope and the waiting digests' due items (idempotent and resumable: shared/storage/migrate.ts; on AWS
  // `npm run deploy` runs it after cdk deploy)
  await migrate(table);
  await migrateNotify(table, { timeZone: config.SCORING_TIMEZONE });
  // … and cases stored under their hall's partition move to its region's (the table got GSI3 in ensureTable).
  await migrateCases(table);
  // … and the cases opened in the last 3 days by code from before GSI4 get its shard (the sweep reads them there).
  await migrateOpenedCases(table);
  const demoHallId = String(marker!.demoHallId);
  const historyStart = addDays(String(marker!.today), -Number(marker!.days ?? config.SEED_DAYS));
  const jobDeps = {
    table,
    // The case step: escalations, auto-closes, phone deletions; its events (ids only) go to the log.
    cases: { log },
    // Alerts are stored for the dashboard; the console only hears about last night's (not a backfill's history).
    publish: async (alerts: { hallId: string; day: string; kind: string }[]) => {
      for (const a of alerts)
        if (a.day === yesterdayIn(config.SCORING_TIMEZONE)) log!.warn('alert', { hallId: a.hallId, day: a.day, kind: a.kind });
    },
  };
  // How far the scoring of missed nights is, for the pages (issue 13: "x / 90 nights" on the first start).
  let scoring: { done: number; total: number } | undefined;
  const scoreNow = async (onDay?: (r: TNightResult, done: number, total: number) => void) => {
    scoring = { done: 0, total: 0 };
    try {
      return await scoreThrough(jobDeps, yesterdayIn(config.SCORING_TIMEZONE), {
        firstDay: historyStart,
        onDay: (r, done, total) => {
          scoring = { done, total };
          onDay?.(r, done, total);
        },
      });
    } finally {
      scoring = undefined;
    }
  };
  const nightly = scheduleNightly(async () => {
    try {
      const nights = await scoreNow();
      log!.info('nightly scoring done', { nights: nights.length, ratings: nights.reduce((n, r) => n + r.ratings, 0) });
    } catch (err) {
      log!.error('nightly scoring failed', { error: (err as Error).message });
    }
  }, config.SCORING_TIMEZONE);

  const deps = { config, table, keyring, engine: engine.name, log, scoring: () => scoring };
  const assets = await buildDashboardAssets();
  const app = createApp(deps, { mount: (a) => a.route('/', dashboardRoutes(deps, assets)) });
  const server: ServerType = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, ...(config.HOST ? { hostname: config.HOST } : {}) }, () => ok(s));
  });
  const port = (server.address() as { port: number }).port;
  const url = config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? `http://localhost:${port}`;

  // Staff e-mail and webhooks (issue 14): the same tick as the scheduled function on AWS, on a timer.
  const mailer = localMailer({ smtpUrl: config.SMTP_URL, dataDir, from: config.MAIL_FROM });
  const notifyDeps = { table, keyring, baseUrl: url, mailer, log, timeZone: config.SCORING_TIMEZONE };
  const notifier = config.NOTIFY_EVERY_SECONDS
    ? scheduleNotify(
        () => notifyTick(notifyDeps),
        config.NOTIFY_EVERY_SECONDS * 1000,
        (err) => log!.error('notify tick failed', { error: (err as Error).message }),
      )
    : undefined;

  // A fresh ticket for the demo, exactly as a queue machine would mint it.
  const cat = (await getHallCatalogue(table, demoHallId))!;
  const now = Date.now();
  const ticket = signTicket(keyring, {
    ticketId: newTicketId(),
    hallId: demoHallId,
    windowId: cat.windows[0].id,
    serviceId: cat.services[0]?.id,
    issuedAt: Math.floor(now / 1000) * 1000,
  });
  await countIssuedTicket(table, demoHallId, localDay(now, cat.hall.timezone), cat.windows[0].id, cat.services[0]?.id);
  const placard = signPlacard(keyring, { hallId: demoHallId, windowId: cat.windows[0].id });

  return {
    url,
    config,
    table,
    scoreNow,
    app,
    demo: {
      hallId: demoHallId,
      apiKey,
      surveyUrl: `${url}/r/${ticket}`,
      placardUrl: `${url}/r/${placard}/placard`,
      docsUrl: `${url}/api/v1/docs`,
      dashboardUrl: `${url}/`,
    },
    mailer,
    notifyNow: () => notifyTick(notifyDeps),
    async close() {
      nightly.stop();
      await notifier?.stop();
      await new Promise<void>((ok) => server.close(() => ok()));
      client.destroy();
      await engine.close();
      if (!inMemory(dataDir)) withdrawEngine(dataDir);
    },
  };
}
