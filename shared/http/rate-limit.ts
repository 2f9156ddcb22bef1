/**
 * A small fixed-window limiter, per process. On AWS the API stage's throttling is the real guard; this one keeps
 * a single machine (and each warm Lambda) from being flooded by one client. Memory is bounded.
 */
export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** True if the call is allowed. */
  take(key: string, now: number): boolean {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size >= this.maxKeys) this.windows.clear(); // worst case: a burst gets a fresh window
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= this.limit;
  }
}
