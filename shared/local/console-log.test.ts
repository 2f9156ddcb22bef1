import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleLog } from './console-log.js';

describe('the local console log', () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes one JSON line whose level, time and message are its own, whatever the data's fields are called", () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => lines.push(s));
    const log = consoleLog('INFO');
    log.info('case event', { level: 1, msg: 'not this', hallId: 'h1' });
    log.info('case event', { event: { type: 'case.escalated', level: 2 } });
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ level: 'INFO', msg: 'case event', hallId: 'h1' });
    expect(Object.keys(a).slice(0, 3)).toEqual(['level', 'time', 'msg']);
    expect(b).toMatchObject({ level: 'INFO', event: { type: 'case.escalated', level: 2 } });
  });

  it('leaves out what is below its level', () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    consoleLog('WARN').info('quiet', {});
    expect(spy).not.toHaveBeenCalled();
  });
});
