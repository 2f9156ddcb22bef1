/** The memo in front of PatternRouter answers exactly as PatternRouter does, and keeps only parameter-free paths. */
import { PatternRouter } from 'hono/router/pattern-router';
import { describe, expect, it } from 'vitest';
import { MemoPatternRouter } from './memo-router.js';

const ROUTES: [string, string, string][] = [
  ['ALL', '*', 'mw'],
  ['GET', '/health', 'health'],
  ['POST', '/api/v1/ratings', 'rate'],
  ['GET', '/api/v1/halls/:hallId/scores', 'scores'],
  ['ALL', '/api/v1/*', 'api-404'],
  ['GET', '/r/:token', 'survey'],
  ['POST', '/r/:token', 'form'],
];
const PATHS = ['/health', '/api/v1/ratings', '/api/v1/halls/h1/scores', '/api/v1/nope', '/r/T.a.b', '/r/T.c.d', '/elsewhere'];

function both() {
  const memo = new MemoPatternRouter<string>();
  const plain = new PatternRouter<string>();
  for (const [m, p, h] of ROUTES) {
    memo.add(m, p, h);
    plain.add(m, p, h);
  }
  return { memo, plain };
}

describe('MemoPatternRouter', () => {
  it('matches every method and path as PatternRouter does, the first time and again from the memo', () => {
    const { memo, plain } = both();
    for (let round = 0; round < 2; round++)
      for (const method of ['GET', 'POST', 'PUT'])
        for (const path of PATHS) expect(memo.match(method, path)).toEqual(plain.match(method, path));
  });

  it('keeps a parameter-free answer and never one with parameters (a token stays out of memory)', () => {
    const { memo } = both();
    expect(memo.match('POST', '/api/v1/ratings')).toBe(memo.match('POST', '/api/v1/ratings'));
    const a = memo.match('POST', '/r/T.a.b');
    expect(memo.match('POST', '/r/T.a.b')).not.toBe(a);
    expect(memo.match('POST', '/r/T.a.b')).toEqual(a);
  });

  it('forgets what it kept when a route is added', () => {
    const { memo } = both();
    const before = memo.match('GET', '/health');
    memo.add('GET', '/health', 'second');
    const after = memo.match('GET', '/health');
    expect(after[0].map(([h]) => h)).toEqual(['mw', 'health', 'second']);
    expect(before[0].map(([h]) => h)).toEqual(['mw', 'health']);
  });
});
