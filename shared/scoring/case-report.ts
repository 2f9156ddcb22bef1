/**
 * Case-handling figures and the cases CSV for reports and exports (SPEC §5), apart from report.ts so the API
 * Lambda, which imports report.ts for the score routes, does not bundle the case service.
 */
import { addDays } from '../domain/time.js';
import type { TCaseFigures } from '../domain/case-figures.js';
import { caseFiguresFor, casesCsv, type TCaseDeps, type TCaseScope } from '../services/cases.js';

/** The case-handling figures (SPEC §5) of a hall or region over the `days` hall-local days ending `to` (dashboard: 30). */
export async function caseFiguresReport(
  deps: TCaseDeps,
  scope: TCaseScope,
  to: string,
  days = 30,
): Promise<{ from: string; to: string } & TCaseFigures> {
  const from = addDays(to, -(days - 1));
  return { from, to, ...(await caseFiguresFor(deps, scope, { from, to })) };
}

/** The cases opened in a period as CSV (UTF-8 BOM; no phone, no comment, no free text): `npm run export -- --cases`. */
export const caseCsv = (deps: TCaseDeps, scope: TCaseScope, from: string, to: string): Promise<string> =>
  casesCsv(deps, scope, { from, to });
