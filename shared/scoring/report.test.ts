import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { CSV_HEADER, PEOPLE_HEADER, csvCell, csvRow, csvText, peopleCsvRow } from './report.js';

const rating = (over: Partial<TRating> = {}): TRating => ({
  ratingId: 'r1',
  channel: 'ticket',
  hallId: 'h1',
  windowId: 'w1',
  createdAt: '2026-11-20T02:00:00.000Z',
  day: '2026-11-20',
  overall: 4,
  ...over,
});

describe('ratings CSV', () => {
  it('writes ids verbatim, even when they begin with "-" (so exports join and recompute by id)', () => {
    const row = csvRow(rating({ ratingId: '-6mwo40nYSeNFEDl', windowId: '-w', serviceId: '=s' })).split(',');
    expect(row).toHaveLength(CSV_HEADER.length);
    expect(row[0]).toBe('-6mwo40nYSeNFEDl');
    expect(row[3]).toBe('-w');
    expect(row[4]).toBe('=s');
  });

  it('keeps every URL-safe id as it is', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), (id) => csvRow(rating({ ratingId: id })).split(',')[0] === id));
  });

  it('neutralises formulas in free text only, and quotes what needs quoting', () => {
    expect(csvText('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvText('-1+2')).toBe("'-1+2");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('好')).toBe('好');
    expect(csvCell('-1+2')).toBe('-1+2');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(undefined)).toBe('');
  });
});

describe("people's ratings CSV (issue 13)", () => {
  const names = { windows: new Map([['w1', '1号窗口 综合受理']]), services: new Map([['s1', '=社保卡办理']]) };
  it('writes names, labels and the comment, formula-safe, one cell per header', () => {
    const r = rating({
      overall: 1,
      serviceId: 's1',
      reasons: ['wait_long', 'rude'],
      trips: 3,
      done: 'no',
      comment: '=HYPERLINK("x")，排队两小时',
    });
    const row = peopleCsvRow(r, 'zh', names, 'Asia/Shanghai');
    expect(row).toBe(
      "r1,2026-11-20 10:00,2026-11-20,1号窗口 综合受理,'=社保卡办理,小票,1 非常不满意,,,,3 次及以上,没办成,等候时间太长、态度生硬," +
        '"\'=HYPERLINK(""x"")，排队两小时",',
    );
    expect(PEOPLE_HEADER.zh).toHaveLength(15);
    expect(peopleCsvRow(rating({ reasons: ['patient'] }), 'en', names, 'Asia/Shanghai')).toContain(',Patient and careful,');
  });
});
