/** The bench's report table: metric, value, unit, target, ok (MISSED in capitals when a target is not met). */

export interface TRow {
  metric: string;
  value: number;
  unit: string;
  /** null: informational, no target. */
  target: { op: '<=' | '>='; value: number } | null;
  ok?: boolean;
}

const fmt = (n: number) =>
  Number.isFinite(n)
    ? Number.isInteger(n)
      ? n.toLocaleString('en-US')
      : n.toLocaleString('en-US', { maximumFractionDigits: 3 })
    : String(n);

/** Prints the table to stdout, fills each row's `ok`, returns how many targets were missed. */
export function printTable(rows: TRow[]): number {
  let missed = 0;
  const cells = rows.map((r) => {
    if (r.target) {
      r.ok = Number.isFinite(r.value) && (r.target.op === '<=' ? r.value <= r.target.value : r.value >= r.target.value);
      if (!r.ok) missed++;
    }
    return [
      r.metric,
      fmt(r.value),
      r.unit,
      r.target ? `${r.target.op === '<=' ? '≤' : '≥'} ${fmt(r.target.value)}` : '—',
      r.target ? (r.ok ? 'ok' : 'MISSED') : '—',
    ];
  });
  const head = ['metric', 'value', 'unit', 'target', 'ok'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === 1 ? s.padStart(width[i]) : s.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  console.log('');
  console.log(line(head));
  console.log(width.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  console.log('');
  return missed;
}
