/** The one-machine stand-in for EventBridge Scheduler: runs the job at 02:00 in the scoring time zone. */
import { localDay } from '../domain/time.js';

/** Milliseconds from `now` until the next hh:mm wall-clock time in `timeZone`. */
export function msUntil(hour: number, minute: number, timeZone: string, now = Date.now()): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const nowSec = get('hour') * 3600 + get('minute') * 60 + get('second');
  let wait = hour * 3600 + minute * 60 - nowSec;
  if (wait <= 0) wait += 86_400;
  return wait * 1000 - (now % 1000);
}

/** Yesterday in the zone: the day a 02:00 run scores. */
export const yesterdayIn = (timeZone: string, now = Date.now()): string => localDay(now - 86_400_000, timeZone);

export function scheduleNightly(run: () => Promise<void>, timeZone: string, at = { hour: 2, minute: 0 }): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(
      async () => {
        try {
          await run();
        } finally {
          arm();
        }
      },
      msUntil(at.hour, at.minute, timeZone),
    );
    timer.unref();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
