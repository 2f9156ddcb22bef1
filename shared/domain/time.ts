/** Hall-local calendar days. Every "day" in the product is the hall's own calendar day, not UTC's. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localDay(instant: Date | number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(instant); // en-CA formats as YYYY-MM-DD
}

export const isDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
