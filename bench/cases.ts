/**
 * Case rows of `npm run bench` (issue 9), on an embedded dynalite:
 *  - bad_rating_write_units: write units of the largest bad rating (every field, a phone, a 500-character Chinese
 *    comment, ids of the usual lengths) with its case, as stored in one item (1 unit per started KB);
 *  - case_queue_ms: median server time of a hall's case queue, its first page of 50 as the staff page asks for it
 *    (listCaseQueue: the page's Query, the COUNT queries, decoding, sorting) with 10,000 cases in the hall, 10% of
 *    them active (the queue lists active cases; closed ones sit in other GSI2 buckets of the same hall);
 *  - ingest_rps_with_cases: acceptRating (the service both rating routes call: token check, case opening, the one
 *    conditional put) with 20% bad ratings, each opening a case, over the same load with none, in the same run,
 *    interleaved blocks.
 */
import { randomUUID } from 'node:crypto';
import { effectiveCalendar } from '../shared/domain/calendar.js';
import { openCase, transition } from '../shared/domain/cases.js';
import { generateKeyringJson, parseKeyring } from '../shared/domain/keyring.js';
import type { THall, TRating } from '../shared/domain/model.js';
import { encryptPhone, maskPhone } from '../shared/domain/privacy.js';
import { signTicket } from '../shared/domain/tokens.js';
import { startDynalite } from '../shared/local/engine.js';
import { listCaseQueue } from '../shared/services/cases.js';
import { acceptRating } from '../shared/services/ratings.js';
import { caseAttributes, openCaseAttributes } from '../shared/storage/cases.js';
import { putHall, putRegion } from '../shared/storage/catalogue.js';
import { createDynamoClient } from '../shared/storage/client.js';
import { batchPut, openTable } from '../shared/storage/db.js';
import { itemSize, ratingToItem } from '../shared/storage/ratings.js';
import { ensureTable } from '../shared/storage/schema.js';

export interface TCaseRow {
  metric: string;
  value: number;
  unit: string;
  target: { op: '<=' | '>='; value: number } | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchCases(opts: { cases?: number; ratings?: number } = {}): Promise<TCaseRow[]> {
  const rows: TCaseRow[] = [];
  const keyring = parseKeyring(generateKeyringJson());
  const hall: THall = { id: 'h-bench', name: '基准大厅', regionId: 'r-bench', timezone: 'Asia/Shanghai' };
  const cal = effectiveCalendar(['r-bench']);

  // 1. write units of the largest bad rating with its case
  const big: TRating = {
    ratingId: 'AbCdEfGhIjKlMnOpQrSt',
    ticketId: 'AbCdEfGhIjKlMnOpQrSt',
    channel: 'ticket',
    hallId: 'h-qingchuan-dh-01',
    windowId: 'w-12',
    serviceId: 's-shebao-card',
    createdAt: '2026-11-20T02:00:00.000Z',
    day: '2026-11-20',
    overall: 1,
    attitude: 1,
    efficiency: 1,
    competence: 1,
    trips: 3,
    done: 'no',
    reasons: ['wait_long', 'more_documents', 'rude', 'sent_elsewhere', 'not_done'],
    comment: '排队等了一个多小时'.repeat(60).slice(0, 500),
    phoneEnc: encryptPhone(keyring, '13812341234'),
    phoneMasked: maskPhone('13812341234'),
    lang: 'zh',
    submissionId: '0f8d4b2e-6c1a-4e1b-9a55-3f2d7c9b1e42', // the page's UUID
    deviceHash: 'y'.repeat(22),
  };
  const opened = openCase(big, hall, cal, big.createdAt)!;
  // its case listed under its hall's region (GSI2 CS#<region>): a region id as long as the hall's (GSI3 adds no byte, GSI4's `q` two)
  const bytes = itemSize(ratingToItem(big, openCaseAttributes(opened, big.hallId.replace(/^h-/, 'r-'))));
  rows.push({ metric: 'bad_rating_write_units', value: Math.ceil(bytes / 1024), unit: 'WCU', target: { op: '<=', value: 2 } });
  rows.push({ metric: 'bad_rating_item_bytes', value: bytes, unit: 'B', target: null });

  const engine = await startDynalite();
  try {
    const client = createDynamoClient({ endpoint: engine.endpoint });
    await ensureTable(client, 'bench-cases');
    const table = openTable(client, 'bench-cases');
    await putRegion(table, { id: 'r-bench', name: '基准区', level: 'district' });
    await putHall(table, hall);

    // 2. a hall with 10,000 cases: 10% active (open or contacted), the rest closed
    const n = opts.cases ?? 10_000;
    const items = [];
    const t0 = Date.parse('2026-08-01T02:00:00Z');
    for (let i = 0; i < n; i++) {
      const at = new Date(t0 + i * 11 * 60_000).toISOString();
      const r: TRating = {
        ratingId: `c${i}`,
        ticketId: `c${i}`,
        channel: 'ticket',
        hallId: hall.id,
        windowId: `w${1 + (i % 4)}`,
        createdAt: at,
        day: at.slice(0, 10),
        overall: 1 + (i % 2),
        reasons: ['wait_long'],
      };
      let c = openCase(r, hall, cal, at)!;
      const active = i % 10 === 0;
      const step = (cmd: Parameters<typeof transition>[1], ms: number) => {
        const x = transition(c, cmd, { now: new Date(Date.parse(at) + ms).toISOString(), actor: 'u', hall, cal, regionPath: ['r-bench'] });
        if (x.ok) c = x.case;
      };
      if (!active || i % 20 === 0) step({ type: 'contact', how: 'written_reply', note: '已收到' }, 3_600_000);
      if (!active) {
        step({ type: 'rectify', publicReply: '已整改', fix: '', category: 'staff_coached' }, 86_400_000);
        step({ type: 'followUp', grade: 'satisfied' }, 2 * 86_400_000);
      }
      items.push(ratingToItem(r, caseAttributes(c, c.history.length, false, hall.regionId)));
    }
    await batchPut(table, items, 8);
    const deps = { table: table, now: () => Date.parse('2026-11-30T02:00:00Z') };
    const firstPage = { page: { offset: 0, limit: 50 } }; // the staff queue's first page (QUEUE_PAGE_SIZE)
    await listCaseQueue(deps, { hallId: hall.id }, firstPage); // warm: the region tree and calendars are cached per process
    const times: number[] = [];
    let listed = 0;
    for (let k = 0; k < 15; k++) {
      const s = performance.now();
      listed = (await listCaseQueue(deps, { hallId: hall.id }, firstPage)).total;
      times.push(performance.now() - s);
    }
    rows.push({ metric: 'case_queue_ms', value: round(median(times)), unit: 'ms', target: { op: '<=', value: 150 } });
    rows.push({ metric: 'case_queue_active', value: listed, unit: 'cases', target: null });

    // 3. ingest with 20% bad ratings (each opening a case) vs none, interleaved blocks
    const total = opts.ratings ?? 1500;
    const catalogue = async () => ({ hall, windows: [{ hallId: hall.id, id: 'w1', name: '1' }], services: [] });
    const rDeps = { table, keyring, now: () => Date.now(), catalogue };
    const block = async (badShare: number) => {
      const tickets = Array.from({ length: total / 5 }, () => {
        const ticketId = randomUUID().replace(/-/g, '').slice(0, 20);
        return { ticketId, token: signTicket(keyring, { ticketId, hallId: hall.id, windowId: 'w1', issuedAt: Date.now() }) };
      });
      const s = performance.now();
      let i = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (i < tickets.length) {
            const t = tickets[i];
            const bad = i++ % 10 < badShare * 10;
            const input = bad ? { ticket: t.token, overall: 1, reasons: ['wait_long'] } : { ticket: t.token, overall: 5 };
            const r = await acceptRating(rDeps as never, input as never, { deviceId: 'bench' });
            if (!r.ok) throw new Error(`bench ingest refused: ${r.refusal}`);
          }
        }),
      );
      return tickets.length / ((performance.now() - s) / 1000);
    };
    const none: number[] = [];
    const bad: number[] = [];
    for (let k = 0; k < 5; k++) {
      if (k % 2) {
        bad.push(await block(0.2));
        none.push(await block(0));
      } else {
        none.push(await block(0));
        bad.push(await block(0.2));
      }
    }
    const withCases = bad.reduce((a, b) => a + b, 0) / bad.length;
    const without = none.reduce((a, b) => a + b, 0) / none.length;
    rows.push({ metric: 'ingest_rps_with_cases', value: round(withCases / without, 3), unit: 'x', target: { op: '>=', value: 0.95 } });
    rows.push({ metric: 'ingest_rps_service_no_cases', value: round(without), unit: 'req/s', target: null });
  } finally {
    await engine.close();
  }
  return rows;
}
