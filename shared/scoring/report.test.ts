import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { NATIONAL_DEFAULT, type TSurveyDefinition } from '../domain/survey.js';
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
        '"\'=HYPERLINK(""x"")，排队两小时",,national@0,',
    );
    expect(PEOPLE_HEADER.zh).toHaveLength(17);
    expect(peopleCsvRow(rating({ reasons: ['patient'] }), 'en', names, 'Asia/Shanghai')).toContain(',Patient and careful,');
  });
});

describe('the survey version in the staff exports (issue 16)', () => {
  const def: TSurveyDefinition = {
    ...NATIONAL_DEFAULT,
    tags: { ...NATIONAL_DEFAULT.tags, bad: [...NATIONAL_DEFAULT.tags.bad, { code: 'c_invoice', zh: '发票开不出', en: 'No invoice' }] },
    extra: [
      {
        code: 'purpose',
        zh: '办理目的',
        en: 'Purpose',
        options: [
          { code: 'tax', zh: '报税', en: 'Tax return' },
          { code: 'other', zh: '其他', en: 'Other' },
        ],
      },
    ],
  };
  const r = rating({ overall: 2, reasons: ['c_invoice'], surveyVersion: 'H#h1@2', extra: { purpose: 'tax' } });

  it('the machine CSV: survey_version and the extra answers as codes, in their own columns', () => {
    expect(CSV_HEADER.slice(-2)).toEqual(['survey_version', 'extra']);
    const row = csvRow(r).split(',');
    expect(row).toHaveLength(CSV_HEADER.length);
    expect(row.slice(-2)).toEqual(['H#h1@2', 'purpose=tax']);
    expect(csvRow(rating()).split(',').slice(-2)).toEqual(['', '']); // the national default, as in the open data
  });

  it("the people's CSV: the version, and the reasons and extra answers in the definition's words", () => {
    const names = { windows: new Map<string, string>(), services: new Map<string, string>() };
    const zh = peopleCsvRow(r, 'zh', names, 'Asia/Shanghai', def).split(',');
    expect(zh).toHaveLength(PEOPLE_HEADER.zh.length);
    expect(zh.slice(-2)).toEqual(['H#h1@2', '办理目的：报税']);
    expect(zh).toContain('发票开不出');
    expect(peopleCsvRow(r, 'en', names, 'Asia/Shanghai', def).split(',').slice(-2)).toEqual(['H#h1@2', 'Purpose: Tax return']);
    // the version gone: codes rather than nothing
    expect(peopleCsvRow(r, 'en', names, 'Asia/Shanghai').split(',').at(-1)).toBe('purpose: tax');
  });
});
