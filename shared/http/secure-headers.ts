/**
 * The secure headers of every response, computed once for the process instead of per response. They are the ones
 * hono/secure-headers gave this app (the 11 fixed headers, the Permissions-Policy and the nonce CSP, no
 * Cross-Origin-Embedder-Policy); its middleware rebuilt the list, cloned and joined the CSP on every request.
 * Here the fixed part is a module constant, the CSP two constant pieces around a nonce drawn from a pooled CSPRNG
 * buffer, and the nonce is only made when a page asks for it (nonceOf) or the response goes out.
 * `securedJson` is for the hot JSON answers (POST /api/v1/ratings): a plain Response whose headers are a plain
 * object with everything already in it, which @hono/node-server writes with one writeHead (no web Headers built),
 * and which the middleware passes untouched.
 */
import type { MiddlewareHandler } from 'hono';

/** The fixed secure headers, in the order hono set them. */
export const SECURE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
});
const FIXED = Object.entries(SECURE_HEADERS);

/** The CSP: scripts and styles only by the page's nonce; images, fetches and form posts to this origin only. */
export const cspFor = (nonce: string): string =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; ` +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const CSP = 'content-security-policy';

/** 16 random bytes, base64 (hono's NONCE format), from a pooled buffer: one getRandomValues call per 256 nonces. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
export function freshNonce(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const nonce = Buffer.from(pool.buffer, poolAt, 16).toString('base64');
  poolAt += 16;
  return nonce;
}

const NONCE_KEY = 'secureHeadersNonce' as never;
/** The response's CSP nonce, for a page's inline <style> and <script>: made on first use, the same all request. */
export function nonceOf(c: { get(key: never): unknown; set(key: never, value: never): void }): string {
  let nonce = c.get(NONCE_KEY) as string | undefined;
  if (!nonce) {
    nonce = freshNonce();
    c.set(NONCE_KEY, nonce as never);
  }
  return nonce;
}

const SECURED = Symbol('secured');

/**
 * Every response gets the headers it does not set itself (a route's own header wins: the public pages' hash-based
 * CSP, routes/public.ts); X-Powered-By never goes out. A `securedJson` response has them all already.
 */
export function secureHeaders(): MiddlewareHandler {
  return async function secureHeaders(c, next) {
    await next();
    const res = c.res;
    if ((res as { [SECURED]?: true })[SECURED]) return;
    const h = res.headers;
    for (const [k, v] of FIXED) if (!h.has(k)) h.set(k, v);
    if (!h.has(CSP)) h.set(CSP, cspFor(nonceOf(c)));
    h.delete('x-powered-by');
  };
}

/** A JSON answer with the secure headers already in it (a fresh nonce in its CSP, as on every response). */
export function securedJson(status: number, body: unknown): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...SECURE_HEADERS };
  headers[CSP] = cspFor(freshNonce());
  const res = new Response(JSON.stringify(body), { status, headers });
  (res as { [SECURED]?: true })[SECURED] = true;
  return res;
}
