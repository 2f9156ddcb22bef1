/**
 * The origin printed into QR codes, ticket URLs and sign-in redirects. Never taken from a request's Host header
 * alone (`Host: evil.example` would otherwise print `http://evil.example/r/…` onto placards): PUBLIC_BASE_URL when set
 * (the AWS stack always sets it); otherwise, on one machine, the request's origin only when its host is one of this
 * machine's own names or addresses (localhost, loopback, the hostname, the LAN addresses a phone uses), else the local
 * URL the server listens on.
 */
import type { Context } from 'hono';
import { hostname, networkInterfaces } from 'node:os';
import type { TConfig } from '../config.js';

let own: Set<string> | undefined;
/** This machine's names and addresses, lower case, IPv6 in brackets as they appear in a URL's hostname. */
export function ownHosts(): Set<string> {
  if (own) return own;
  const names = ['localhost', '127.0.0.1', '[::1]', hostname()];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) names.push(a.family === 'IPv6' ? `[${a.address.replace(/%.*$/, '')}]` : a.address);
  own = new Set(names.map((n) => n.toLowerCase()));
  return own;
}

export function baseUrl(c: Context, config: TConfig): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/$/, '');
  const url = new URL(c.req.url);
  if (config.APP_ENV !== 'aws' && ownHosts().has(url.hostname.toLowerCase())) return url.origin;
  const env = c.env as { incoming?: { socket?: { localPort?: number } } } | undefined;
  return `http://localhost:${env?.incoming?.socket?.localPort ?? config.PORT}`;
}
