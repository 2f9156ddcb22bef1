import { describe, expect, it } from 'vitest';
import { msUntil, yesterdayIn } from './nightly.js';

describe('nightly timer', () => {
  it('waits until the next 02:00 in the hall time zone', () => {
    const at = (iso: string) => msUntil(2, 0, 'Asia/Shanghai', Date.parse(iso)) / 3_600_000;
    expect(at('2026-11-21T17:00:00Z')).toBe(1); // 01:00 in Shanghai
    expect(at('2026-11-21T18:00:00Z')).toBe(24); // exactly 02:00: the next one
    expect(at('2026-11-21T18:30:00Z')).toBe(23.5);
  });
  it('scores yesterday', () => expect(yesterdayIn('Asia/Shanghai', Date.parse('2026-11-21T18:00:00Z'))).toBe('2026-11-21'));
});
