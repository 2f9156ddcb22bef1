/** `npm start`'s runtime over a real socket: on-disk data survives a restart; the key ring and demo key too. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../shared/local/server.js';
import { getRating } from '../shared/storage/ratings.js';

const dir = mkdtempSync(join(tmpdir(), 'st-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATA_DIR: dir, PORT: '0', SEED_DAYS: '2', LOG_LEVEL: 'SILENT' };

describe('local server', () => {
  it('seeds once, serves over HTTP, and keeps data and codes across a restart', async () => {
    const first = await startLocal(env);
    const health = await (await fetch(`${first.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', storage: { engine: 'dynalite', state: 'ACTIVE' } });
    const page = await fetch(first.demo.surveyUrl);
    expect(page.status).toBe(200);
    const ticket = new URL(first.demo.surveyUrl).pathname.slice(3);
    const rated = await fetch(`${first.url}/api/v1/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket, overall: 4, submissionId: 'restart-sub-1' }),
    });
    expect(rated.status).toBe(201);
    const { ratingId } = await rated.json();
    const seededDemoHall = first.demo.hallId;
    const apiKey = first.demo.apiKey;
    await first.close();
    expect(statSync(join(dir, 'keyring.json')).mode & 0o077).toBe(0); // secrets readable by the owner only

    const second = await startLocal(env);
    try {
      expect(second.demo.apiKey).toBe(apiKey);
      expect(second.demo.hallId).toBe(seededDemoHall);
      expect((await getRating(second.table, ratingId))?.overall).toBe(4);
      // the old ticket still verifies under the persisted key ring, and is now "already rated"
      const again = await fetch(`${second.url}/r/${ticket}`);
      expect(await again.text()).toContain('这次办事已经评价过了');
      const hall = await fetch(`${second.url}/api/v1/hall`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(hall.status).toBe(200);
    } finally {
      await second.close();
    }
  }, 60_000);
});
