import { describe, expect, it } from 'vitest';
import { progressBar, progressWriter } from './progress.js';

const run = (isTTY: boolean, total: number) => {
  let text = '';
  const step = progressWriter({ isTTY, write: (s: string) => (text += s) }, 'scoring');
  for (let i = 1; i <= total; i++) step(i, total, `night ${i}`);
  return text;
};

describe('start-up progress', () => {
  it('on a terminal redraws one bar in place and ends the line once', () => {
    const text = run(true, 90);
    expect(text.split('\r').length - 1).toBe(90);
    expect(text.endsWith(`scoring ${progressBar(90, 90)} night 90\n`)).toBe(true);
    expect(text.split('\n').length - 1).toBe(1);
  });

  it('into a log file writes about ten plain lines and no carriage return', () => {
    const lines = run(false, 90).split('\n').filter(Boolean);
    expect(run(false, 90)).not.toContain('\r');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines.at(0)).toContain('1/90');
    expect(lines.at(-1)).toContain('90/90 night 90');
  });
});
