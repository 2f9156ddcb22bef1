import { describe, expect, it } from 'vitest';
import type { TEpisode } from '../domain/episodes.js';
import { needsAttention } from './attention.js';
import type { TUnitReport } from './report.js';

const rep = (temperature: number, band: string) => ({ temperature, band }) as TUnitReport;
const ep = (hallId: string, to: string) => ({ hallId, kind: 'cusum', from: to, to }) as TEpisode;

describe('needs attention', () => {
  it('lists cold and cooling halls with their reasons even without an alert, and recent alerts, coldest first', () => {
    const halls = [
      { hallId: 'warm', r: rep(88, 'warm'), episodes: [] },
      { hallId: 'cold-all-month', r: rep(47.8, 'cold'), change: { change: -0.5, beyondNoise: false }, episodes: [] },
      { hallId: 'cooling', r: rep(69.6, 'cool'), change: { change: -13, beyondNoise: true }, episodes: [ep('cooling', '2026-11-29')] },
      { hallId: 'wobble', r: rep(75, 'mild'), change: { change: -1.2, beyondNoise: false }, episodes: [] },
      { hallId: 'old-alert', r: rep(76, 'mild'), episodes: [ep('old-alert', '2026-11-10')] },
      { hallId: 'real-dip', r: rep(77, 'mild'), change: { change: -2.5, beyondNoise: true }, episodes: [] },
    ];
    const out = needsAttention(halls, '2026-11-30');
    expect(out.map((h) => [h.hallId, h.reasons.map((r) => r.kind)])).toEqual([
      ['cold-all-month', ['cold']],
      ['cooling', ['cooling', 'alert']],
      ['real-dip', ['cooling']],
    ]);
  });
});
