/**
 * CPU time (user+system, ms) of the calling thread, from /proc/thread-self (Linux; 10 ms resolution), NaN elsewhere.
 * Per-thread CPU per operation is far less disturbed by other processes on a shared machine than throughput is.
 */
import { readFileSync } from 'node:fs';

export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** Busy CPU time of the whole machine (all processes, all cores), ms, from /proc/stat; NaN elsewhere. */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]; // cpu  user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) * 10;
  } catch {
    return NaN;
  }
}
