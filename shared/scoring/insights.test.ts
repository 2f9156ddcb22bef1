import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { HEAT_MIN_RATINGS, STOP_WORDS, episodeDrivers, isHotCell, summarise } from './insights.js';

let n = 0;
const r = (over: Partial<TRating>): TRating => ({
  ratingId: `r${++n}`,
  channel: 'ticket',
  hallId: 'h',
  windowId: 'w1',
  createdAt: '2026-11-16T02:30:00.000Z',
  day: '2026-11-16',
  overall: 5,
  ...over,
});

describe('hall insights', () => {
  it('counts grades, places ratings by local weekday and hour, and finds the words of each complaint theme', () => {
    const ratings = [
      r({ overall: 1, reasons: ['wait_long'], comment: '排队等了一个多小时，窗口只开了两个' }),
      r({ overall: 2, reasons: ['wait_long'], comment: '排队太久了，等了两个小时' }),
      r({ overall: 1, reasons: ['more_documents'], comment: '材料要求前后说法不一样，跑了三趟' }),
      r({ overall: 5, comment: '工作人员很耐心' }),
    ];
    const out = summarise(ratings, 'Asia/Shanghai', '2026-11-16', '2026-11-16');
    expect(out.grades).toEqual([2, 1, 0, 0, 1]);
    // 2026-11-16 is a Monday; 02:30 UTC is 10:30 in Shanghai
    expect(out.heat[0][10]).toEqual({ n: 4, bad: 3 });
    expect(out.themes.map((t) => [t.reason, t.ratings])).toEqual([
      ['wait_long', 2],
      ['more_documents', 1],
    ]);
    expect(out.themes[0].keywords.map((k) => k.word)).toContain('排队');
    expect(out.comments).toHaveLength(4);
  });

  it('issue 13: themes come only from bad ratings and their bad reasons, without filler words, each word with its count', () => {
    const ratings = [
      r({ overall: 1, reasons: ['wait_long'], comment: '有点慢，不过可以理解，排队等了很久' }),
      r({ overall: 2, reasons: ['wait_long', 'patient' as never], comment: '排队太久，感觉还是不行' }),
      r({ overall: 2, comment: '没有选原因的差评' }), // no reason: no "其他" theme
      r({ overall: 3, reasons: ['more_documents'], comment: '材料有点多' }), // a middling rating is not a complaint theme
      r({ overall: 5, reasons: ['patient'], comment: '工作人员很耐心' }),
    ];
    const out = summarise(ratings, 'Asia/Shanghai', '2026-11-16', '2026-11-16');
    expect(out.themes.map((t) => [t.reason, t.ratings])).toEqual([['wait_long', 2]]);
    const words = out.themes[0].keywords;
    expect(words.find((k) => k.word === '排队')).toEqual({ word: '排队', count: 2 });
    for (const filler of ['有点', '可以', '不过', '感觉', '还是']) {
      expect(STOP_WORDS.has(filler)).toBe(true);
      expect(words.map((k) => k.word)).not.toContain(filler);
    }
  });

  it('issue 13: a heat-map cell is marked only with enough ratings to mean something', () => {
    expect(isHotCell({ n: 1, bad: 1 })).toBe(false); // one bad rating is not a pattern
    expect(isHotCell({ n: HEAT_MIN_RATINGS - 1, bad: HEAT_MIN_RATINGS - 1 })).toBe(false);
    expect(isHotCell({ n: HEAT_MIN_RATINGS, bad: 2 })).toBe(true); // 40% of 5
    expect(isHotCell({ n: 20, bad: 5 })).toBe(false); // 25%
    expect(isHotCell({ n: 0, bad: 0 })).toBe(false);
  });

  it("issue 13: an episode's drivers are its bad ratings' windows, hours and reasons within its days", () => {
    const ratings = [
      r({ overall: 1, windowId: 'w2', reasons: ['rude'], createdAt: '2026-11-16T07:10:00.000Z' }),
      r({ overall: 2, windowId: 'w2', reasons: ['rude', 'wait_long'], createdAt: '2026-11-16T07:40:00.000Z' }),
      r({ overall: 1, windowId: 'w1', reasons: ['wait_long'], createdAt: '2026-11-16T01:00:00.000Z' }),
      r({ overall: 5, windowId: 'w3', createdAt: '2026-11-16T07:10:00.000Z' }),
      r({ overall: 1, windowId: 'w9', day: '2026-11-01', reasons: ['rude'] }), // before the episode
    ];
    expect(episodeDrivers(ratings, 'Asia/Shanghai', '2026-11-10', '2026-11-16')).toEqual({
      bad: 3,
      windows: [
        { id: 'w2', bad: 2 },
        { id: 'w1', bad: 1 },
      ],
      hours: [
        { hour: 15, bad: 2 },
        { hour: 9, bad: 1 },
      ],
      reasons: [
        { reason: 'rude', bad: 2 },
        { reason: 'wait_long', bad: 2 },
      ],
    });
  });
});
