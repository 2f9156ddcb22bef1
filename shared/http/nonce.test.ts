/** The pooled CSP nonce: hono's format (16 bytes, base64), fresh on every response, the same one the page gets. */
import type { Hono } from 'hono/tiny';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { generateKeyringJson, parseKeyring } from '../domain/keyring.js';
import { createApp } from './app.js';
import type { TAppDeps } from './deps.js';
import { nonceOf } from './pages/layout.js';

// No route below reaches storage: the handle is only there to satisfy the type.
const deps = {
  config: loadConfig({ APP_ENV: 'local' }),
  table: { name: 'unused', db: undefined as never, itemsRead: 0, catalogueVersion: 0 },
  keyring: parseKeyring(generateKeyringJson()),
  engine: 'none',
  log: { info() {}, warn() {}, error() {} },
} as unknown as TAppDeps;

const app = createApp(deps, {
  mount: (a: Hono) => {
    a.get('/page', (c) => c.text(nonceOf(c)));
  },
});

describe('CSP nonce', () => {
  it('is 16 random bytes in base64, fresh on each of 600 responses (past two refills of the pool)', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const res = await app.request('/page');
      const csp = res.headers.get('content-security-policy') ?? '';
      const m = /script-src 'nonce-([A-Za-z0-9+/]{22}==)'/.exec(csp);
      expect(m, csp).not.toBeNull();
      expect(csp).toContain(`style-src 'nonce-${m![1]}'`);
      expect(await res.text()).toBe(m![1]); // the page's own nonce is the header's
      seen.add(m![1]);
    }
    expect(seen.size).toBe(600);
  });
});
