/** The origin printed into QR codes, ticket URLs and sign-in redirects: PUBLIC_BASE_URL, else the request's own. */
import type { Context } from 'hono';
import type { TConfig } from '../config.js';

export function baseUrl(c: Context, config: TConfig): string {
  return config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? new URL(c.req.url).origin;
}
