import { describe, expect, it } from 'vitest';
import type { TRating } from '../domain/model.js';
import { summarise } from './insights.js';

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
});
