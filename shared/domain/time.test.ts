import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateFormat, localDay, unendedDayError } from './time.js';

describe('which days may be scored', () => {
  const now = Date.parse('2026-11-20T17:00:00Z'); // 01:00 on 11-21 in Shanghai, still 11-20 in UTC

  it('refuses the current and future days of the scoring time zone, and says which day is the latest', () => {
    expect(unendedDayError('2026-11-21', 'Asia/Shanghai', now)).toBe(
      '2026-11-21 has not ended yet in Asia/Shanghai (today there is 2026-11-21); the latest day that can be scored is 2026-11-20',
    );
    expect(unendedDayError('2026-12-05', 'Asia/Shanghai', now)).toMatch(/^2026-12-05 has not ended yet/);
    expect(unendedDayError('2026-11-20', 'Asia/Shanghai', now)).toBeUndefined();
    expect(unendedDayError('2026-11-20', 'UTC', now)).toMatch(/not ended/); // the zone decides
    expect(unendedDayError('2025-01-31', 'UTC', now)).toBeUndefined();
  });

  it('allows exactly the days before today in the zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }),
        fc.integer({ min: -3, max: 3 }),
        (t, shift) => {
          const day = localDay(t + shift * 86_400_000, 'Asia/Shanghai');
          return (unendedDayError(day, 'Asia/Shanghai', t) === undefined) === shift < 0;
        },
      ),
    );
  });
});

describe('localDay', () => {
  it("equals Intl's own answer for any instant and zone, also in a sequence that reuses the remembered quarter hour", () => {
    const zones = ['Asia/Shanghai', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC'];
    const intl = (ms: number, timeZone: string) =>
      new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
    fc.assert(
      fc.property(
        fc.array(fc.record({ ms: fc.integer({ min: 0, max: 4_102_444_800_000 }), step: fc.integer({ min: -1, max: 1 }) })),
        fc.constantFrom(...zones),
        (points, zone) => {
          for (const { ms, step } of points) {
            // near a day boundary: the same quarter hour, one millisecond apart, both sides of local midnight
            for (const t of [ms, ms + step, ms - (ms % 900_000), ms - (ms % 900_000) - 1]) expect(localDay(t, zone)).toBe(intl(t, zone));
          }
        },
      ),
    );
  });
});

describe('dateFormat', () => {
  it('builds one formatter per locale and options, and formats exactly as a fresh one does', () => {
    const opts = { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' } as const;
    expect(dateFormat('zh-CN', opts)).toBe(dateFormat('zh-CN', { ...opts }));
    expect(dateFormat('zh-CN', opts)).not.toBe(dateFormat('en-GB', opts));
    expect(dateFormat('zh-CN', opts)).not.toBe(dateFormat('zh-CN', { ...opts, timeZone: 'Asia/Kathmandu' }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu', 'UTC'), (ms, tz) => {
        const o = { ...opts, timeZone: tz };
        expect(dateFormat('zh-CN', o).format(ms)).toBe(new Intl.DateTimeFormat('zh-CN', o).format(ms));
      }),
      { numRuns: 200 },
    );
  });
});
