/**
 * Faces and marks drawn as tiny inline SVG rather than emoji: older phones lack the newer emoji and show empty boxes.
 * The survey's grade faces and the result pages' main icons come from here, so every resident page looks alike.
 */
import { raw } from 'hono/html';

const GREEN = '#1e7d32';
const RED = '#b3261e';
/** The mouth curves from a smile (5) to a frown (1); the word beside it carries the meaning, not the colour. */
const MOUTHS: Record<number, [string, string]> = {
  5: ['M8 14q4 5 8 0', GREEN],
  4: ['M8 15q4 3 8 0', '#2e7d32'],
  3: ['M8 15h8', '#6b5d00'],
  2: ['M8 17q4-3 8 0', RED],
  1: ['M8 18q4-5 8 0', RED],
};
const svg = (cls: string, size: number, inner: string) =>
  raw(`<svg class="${cls}" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">` + `${inner}</svg>`);
const ring = (color: string) => `<circle cx="12" cy="12" r="10.5" fill="none" stroke="${color}" stroke-width="2"/>`;
const line = (d: string, color: string) =>
  `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`;
const faceInner = (g: number) => {
  const [d, color] = MOUTHS[g];
  const eyes = `<circle cx="8.5" cy="9.5" r="1.4" fill="${color}"/><circle cx="15.5" cy="9.5" r="1.4" fill="${color}"/>`;
  return ring(color) + eyes + line(d, color);
};

/** A grade's face (1–5), 36 px beside its word on the survey. */
export const face = (g: number, size = 36) => svg('face', size, faceInner(g));

/** The result pages' main icon: thanks (a smile), ok (a tick), wait (a clock: too late, too soon), warn (a link or form that failed). */
export type TMark = 'thanks' | 'ok' | 'wait' | 'warn';
const AMBER = '#8a5a00';
const MARKS: Record<TMark, string> = {
  thanks: faceInner(5),
  ok: ring(GREEN) + line('M7 12.5l3.5 3.5L17 9', GREEN),
  wait: ring(AMBER) + line('M12 6.5V12l3.5 2.5', AMBER),
  warn: `${line('M12 2.5L22 20.5H2z', AMBER)}${line('M12 9v5.5', AMBER)}<circle cx="12" cy="17.6" r="1.2" fill="${AMBER}"/>`,
};
export const mark = (m: TMark) => svg('mark', 72, MARKS[m]);
