import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { CSV_HEADER, csvCell, csvRow, csvText } from './report.js';

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
