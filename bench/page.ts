/**
 * The survey page's first view on the wire: mint a fresh ticket through the machine API (as a queue machine
 * would), GET its survey page with `accept-encoding: gzip`, and count the compressed body bytes. The page is meant
 * to be self-contained; any sub-resource it references on this origin (stylesheet, script, image, icon, …) is
 * fetched the same way and added. Raw node:http is used because fetch() would transparently decompress.
 */
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface TWire {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes as sent (compressed if the server compressed). */
  wireBytes: number;
  /** Decoded body. */
  body: Buffer;
  /** Status line and headers as sent (HTTP/1.1, uncompressed). */
  headerBytes: number;
}

export function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<TWire> {
  const url = new URL(path, origin);
  if (url.hostname !== '127.0.0.1') throw new Error(`bench: loopback only, refusing ${url.href}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(url.port), path: url.pathname + url.search, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        let headerBytes = Buffer.byteLength(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`);
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          wireBytes: raw.length,
          body: enc === 'gzip' ? gunzipSync(raw) : raw,
          headerBytes,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function postJson(
  origin: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, origin);
  if (url.hostname !== '127.0.0.1') throw new Error(`bench: loopback only, refusing ${url.href}`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(url.port),
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            /* keep text */
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Same-origin (or relative) URLs the HTML would make the browser fetch before the page is complete. */
export function subresources(html: string): string[] {
  const found = new Set<string>();
  const attr = (tag: string, name: string) => new RegExp(`<${tag}\\b[^>]*?\\s${name}\\s*=\\s*["']?([^"'\\s>]+)`, 'gi');
  const patterns = [
    attr('link', 'href'),
    attr('script', 'src'),
    attr('img', 'src'),
    attr('source', 'src'),
    attr('iframe', 'src'),
    attr('video', 'poster'),
    attr('input', 'src'),
    attr('object', 'data'),
    attr('embed', 'src'),
  ];
  for (const re of patterns) for (const m of html.matchAll(re)) found.add(m[1]);
  for (const m of html.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/gi)) found.add(m[1]); // inline CSS backgrounds, fonts
  for (const m of html.matchAll(/@import\s+["']([^"']+)["']/gi)) found.add(m[1]);
  return [...found].filter((u) => !/^(data:|#|about:|javascript:|mailto:|tel:)/i.test(u));
}

export interface TPageResult {
  ticketUrlPath: string;
  htmlWireBytes: number;
  htmlRawBytes: number;
  /** Response headers of the HTML (not in the total: HTTP/2 compresses them with HPACK). */
  htmlHeaderBytes: number;
  contentEncoding: string;
  subresources: { url: string; wireBytes: number; status: number }[];
  totalWireBytes: number;
  /** Browsers ask for /favicon.ico when the page names no icon; not counted in the total, reported aside. */
  favicon: { declared: boolean; status: number; wireBytes: number };
}

export async function measureSurveyPage(origin: string, apiKey: string, windowId: string): Promise<TPageResult> {
  const minted = await postJson(origin, '/api/v1/tickets', { windowId }, { authorization: `Bearer ${apiKey}` });
  if (minted.status !== 201) throw new Error(`minting a ticket failed: ${minted.status} ${JSON.stringify(minted.json)}`);
  const { url } = minted.json as { url: string };
  const path = new URL(url).pathname; // the server's own origin may say localhost; we only talk to 127.0.0.1
  const accept = { 'accept-encoding': 'gzip', 'user-agent': 'Mozilla/5.0 (Linux; Android 10) st-bench', accept: 'text/html' };
  const page = await get(origin, path, accept);
  if (page.status !== 200) throw new Error(`survey page answered ${page.status}`);
  const html = page.body.toString('utf8');
  if (!html.includes('name="overall"')) throw new Error('survey page: the rating form is missing (got another page?)');
  const subs: TPageResult['subresources'] = [];
  for (const ref of subresources(html)) {
    const abs = new URL(ref, new URL(path, origin));
    if (abs.origin !== new URL(origin).origin && abs.hostname !== 'localhost') {
      subs.push({ url: abs.href, wireBytes: NaN, status: 0 }); // third-party: not fetched (loopback only), flagged
      continue;
    }
    const r = await get(origin, abs.pathname + abs.search, accept);
    subs.push({ url: abs.pathname + abs.search, wireBytes: r.wireBytes, status: r.status });
  }
  const declaredIcon = /<link\b[^>]*rel\s*=\s*["']?[^"'>]*icon/i.test(html);
  const fav = declaredIcon ? { status: 0, wireBytes: 0 } : await get(origin, '/favicon.ico', accept);
  return {
    ticketUrlPath: path,
    htmlWireBytes: page.wireBytes,
    htmlRawBytes: page.body.length,
    htmlHeaderBytes: page.headerBytes,
    contentEncoding: String(page.headers['content-encoding'] ?? 'identity'),
    subresources: subs,
    totalWireBytes: page.wireBytes + subs.reduce((n, s) => n + (Number.isFinite(s.wireBytes) ? s.wireBytes : 0), 0),
    favicon: { declared: declaredIcon, status: fav.status, wireBytes: fav.wireBytes },
  };
}
