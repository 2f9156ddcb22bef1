/**
 * Issue 11's kept suite: the bounded fuzz over every public route and body schema (no 5xx, nothing stored by a
 * refused request), and the crash test (SIGKILL of the local server mid-load; every acknowledged rating is stored
 * after the restart). The session-revocation test is in hardening.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRoutes } from '../bench/fuzz.js';
import { crashUnderLoad } from '../bench/hardening.js';
import { signPlacard } from '../shared/domain/tokens.js';
import { json, stopEngines, world, type TWorld } from './support/harness.js';

let w: TWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(stopEngines);

describe('hostile requests (fast-check, bounded)', () => {
  it('answers every generated request below 500 and stores nothing for a refused one', async () => {
    const tokens = async () => {
      const res = await w.app.request('/api/v1/tickets', json({ windowId: 'w1' }, { authorization: `Bearer ${w.apiKey}` }));
      const { ticket } = (await res.json()) as { ticket: string };
      return { ticket, placard: signPlacard(w.keyring, { hallId: 'h-test', windowId: 'w2' }) };
    };
    const r = await fuzzRoutes({ app: w.app, table: w.table, apiKey: w.apiKey, tokens }, 120);
    expect(r.failures).toEqual([]);
    expect(r.fiveXx).toBe(0);
    expect(r.refusedButStored).toBe(0);
    expect(r.requests).toBe(120);
  }, 180_000);
});

describe('a crash under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('keeps every acknowledged rating after a SIGKILL of the local server mid-load', async () => {
    const r = await crashUnderLoad({ dataDir: dir, concurrency: 6, killAfterAcks: 60 });
    expect(r.acked).toBeGreaterThanOrEqual(60);
    expect(r.lost).toBe(0);
  }, 240_000);
});
