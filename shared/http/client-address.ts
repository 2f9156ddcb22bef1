/**
 * The client's address, only to tell devices apart for the placard limit (hashed at once, never stored or logged).
 * Works on both runtimes without importing either: API Gateway's event, or the Node socket.
 */
import type { Context } from 'hono';

export function clientAddress(c: Context): string {
  const env = c.env as
    | { requestContext?: { http?: { sourceIp?: string } }; incoming?: { socket?: { remoteAddress?: string } } }
    | undefined;
  return env?.requestContext?.http?.sourceIp ?? env?.incoming?.socket?.remoteAddress ?? '';
}
