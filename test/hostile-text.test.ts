/**
 * Hostile text in, clean text stored: NUL, escape sequences, C1 controls, CR, tabs and bidi overrides/isolates are
 * posted through every free-text input (the rating API, the resident form, the administration forms, the API key
 * label), then every string of every item in the real table is checked. Only "\n" may remain.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSAFE_TEXT, cleanLine, cleanText } from '../shared/domain/text.js';
import type { createApp } from '../shared/http/app.js';
import type { TTable } from '../shared/storage/db.js';
import { demoWorld, json, staffSession, stopEngines } from './support/harness.js';
import { getRating } from '../shared/storage/ratings.js';
import { getHallCatalogue } from '../shared/storage/catalogue.js';

const HOSTILE = '差\u0000评\u001b[31m红\u202e321\u2066隔\u2069\r\n第二行\r第三\u0085行\u007f\t\u200f\u061c\u2028尾\ud800';
const API_KEY = 'st_hostile_text_key_0001';
const clock = { now: Date.parse('2026-11-22T02:00:00Z') };
let app: ReturnType<typeof createApp>;
let table: TTable;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  ({ table, app } = await demoWorld({
    prefix: 'hostile',
    today: '2026-11-22',
    apiKey: API_KEY,
    clock,
    days: 1,
    env: { PUBLIC_BASE_URL: 'https://rate.example.test' },
  }));
  ({ cookie, csrf } = await staffSession(app, 'u-admin'));
}, 120_000);
afterAll(stopEngines);

const form = (path: string, body: Record<string, string>, headers: Record<string, string> = { cookie }) =>
  app.request(path, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...body }).toString(),
  });

let visits = 0;
async function mint(): Promise<{ ticketId: string; ticket: string }> {
  const res = await app.request(
    '/api/v1/tickets',
    json({ windowId: 'w1', visitRef: `${++visits}${HOSTILE}`.slice(0, 60) }, { authorization: `Bearer ${API_KEY}` }),
  );
  expect(res.status).toBe(201);
  return res.json();
}

/** Every string anywhere in an item (sets, lists and maps included), with where it was. */
function* strings(v: AttributeValue, at: string): Generator<[string, string]> {
  if (v.S !== undefined) yield [at, v.S];
  for (const s of v.SS ?? []) yield [at, s];
  for (const [i, x] of (v.L ?? []).entries()) yield* strings(x, `${at}[${i}]`);
  for (const [k, x] of Object.entries(v.M ?? {})) yield* strings(x, `${at}.${k}`);
}

async function scanStrings(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.db.send(new ScanCommand({ TableName: table.name, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? [])
      for (const [k, v] of Object.entries(item)) out.push(...strings(v, `${item.pk?.S}/${item.sk?.S}:${k}`));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

describe('free text in storage', () => {
  it('holds no control or bidi characters, whatever was posted through any form or API', async () => {
    // The rating API and the resident's plain form.
    const viaApi = await mint();
    expect((await app.request('/api/v1/ratings', json({ ticket: viaApi.ticket, overall: 4, comment: HOSTILE }))).status).toBe(201);
    const viaForm = await mint();
    expect((await form(`/r/${viaForm.ticket}`, { overall: '4', comment: HOSTILE, lang: 'zh' }, {})).status).toBe(303);
    // Every administration form with a name in it, and an API key's label.
    const posts: [string, Record<string, string>][] = [
      ['/admin/regions', { id: 'r-hostile', name: `区${HOSTILE}`, nameEn: HOSTILE, parentId: 'r-city', level: 'district' }],
      ['/admin/regions/r-hostile', { name: `区${HOSTILE}`, nameEn: HOSTILE, parentId: 'r-city', level: 'district' }],
      ['/admin/halls', { id: 'h-hostile', name: `厅${HOSTILE}`, nameEn: HOSTILE, regionId: 'r-hostile', timezone: 'Asia/Shanghai' }],
      ['/admin/halls/h-hostile', { name: `厅${HOSTILE}`, nameEn: HOSTILE, regionId: 'r-hostile', timezone: 'Asia/Shanghai' }],
      ['/admin/halls/h-hostile/windows', { id: 'w-hostile', name: `窗${HOSTILE}`, nameEn: HOSTILE }],
      ['/admin/halls/h-hostile/windows/w-hostile', { name: `窗${HOSTILE}`, nameEn: HOSTILE }],
      ['/admin/halls/h-hostile/services', { id: 's-hostile', name: `事${HOSTILE}`, nameEn: HOSTILE }],
      [
        '/admin/users',
        { id: 'u-hostile', name: `人${HOSTILE}`.slice(0, 40), email: 'hostile@example.gov.cn', role: 'manager', scope: 'h-hostile' },
      ],
    ];
    for (const [path, body] of posts) expect((await form(path, body)).status, path).toBe(303);
    expect((await form('/admin/halls/h-hostile/keys', { label: `钥${HOSTILE}` })).status).toBeLessThan(400);

    // What was typed is kept, only cleaned.
    expect((await getRating(table, viaApi.ticketId))?.comment).toBe(cleanText(HOSTILE));
    expect((await getRating(table, viaForm.ticketId))?.comment).toBe(cleanText(HOSTILE).trim());
    const cat = await getHallCatalogue(table, 'h-hostile');
    expect(cat?.hall.name).toBe(`厅${cleanLine(HOSTILE)}`.trim());
    expect(cat?.windows[0].name).toBe(`窗${cleanLine(HOSTILE)}`.trim());

    const all = await scanStrings();
    expect(all.length).toBeGreaterThan(100);
    const dirty = all.filter(
      ([, s]) => UNSAFE_TEXT.test(s) || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s),
    );
    expect(dirty.map(([at, s]) => `${at} = ${JSON.stringify(s)}`)).toEqual([]);
  }, 60_000);
});
