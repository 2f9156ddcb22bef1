/** The trend chart's y-axis, pure so it is tested without a browser (issue 13). */

/**
 * The y-axis fits the data and its interval band (a 13-point fall must look like one, not flattened on 0–100):
 * the lowest low to the highest high, a little room, on multiples of 5, at least 20 points tall, within 0–100.
 */
export function fitRange(data: { lo: number[]; hi: number[] }): [number, number] {
  const lo = Math.min(...data.lo);
  const hi = Math.max(...data.hi);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 100];
  let min = Math.max(0, Math.floor((lo - 2) / 5) * 5);
  let max = Math.min(100, Math.ceil((hi + 2) / 5) * 5);
  while (max - min < 20) {
    if (min > 0) min -= 5;
    if (max - min < 20 && max < 100) max += 5;
  }
  return [min, max];
}
