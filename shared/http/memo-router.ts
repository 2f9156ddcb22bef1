/**
 * hono/tiny's PatternRouter tries every route's pattern in turn (the local server and the dashboard function
 * register ~200), on every request. This wraps it with a small memo of the answers for paths without parameters
 * (POST /api/v1/ratings, the assets, the pages): the same method and path always match the same handlers once the
 * routes are in, and hono treats a match as read-only (its RegExpRouter hands out shared answers the same way).
 * Paths with parameters (a /r/<token>, a hall id) are matched afresh and never kept, so the memo stays small.
 */
import type { Result, Router } from 'hono/router';
import { PatternRouter } from 'hono/router/pattern-router';

const MAX_KEPT = 1000;

export class MemoPatternRouter<T> implements Router<T> {
  name = 'MemoPatternRouter';
  #inner = new PatternRouter<T>();
  #memo = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#memo.clear();
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const hit = this.#memo.get(key);
    if (hit) return hit;
    const result = this.#inner.match(method, path);
    const [handlers] = result as [[T, Record<string, string>][]];
    if (handlers.some(([, params]) => Object.keys(params).length > 0)) return result; // has parameters: not kept
    if (this.#memo.size >= MAX_KEPT) this.#memo.clear();
    this.#memo.set(key, result);
    return result;
  }
}
