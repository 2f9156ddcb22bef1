/**
 * Progress of a long run (the first start's scoring of the demo history, a backfill) for a person watching: a bar
 * redrawn in place on a terminal; on anything else (a log file, CI) plain lines, about ten of them, never `\r`.
 */
export interface TProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

export const progressBar = (done: number, total: number, width = 30) => {
  const filled = Math.round((Math.min(done, total) / Math.max(1, total)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
};

/** Returns `(done, total, detail)`: call it after each step; the last step (done === total) always prints. */
export function progressWriter(out: TProgressStream, label: string) {
  return (done: number, total: number, detail = '') => {
    const line = `${label} ${progressBar(done, total)}${detail ? ` ${detail}` : ''}`;
    if (out.isTTY) out.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done === total || done === 1 || done % Math.max(1, Math.floor(total / 10)) === 0) out.write(`${line}\n`);
  };
}
