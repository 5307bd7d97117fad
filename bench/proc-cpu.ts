// CPU time and resident memory of a process, read from /proc (Linux): on this shared machine CPU time is a steadier
// cost figure than wall time.
import { readFileSync } from 'node:fs';

/**
 * utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). Throws when the process is gone, or when the
 * stat line lacks the two fields (they are the 12th and 13th after the command name, which ends with ") ").
 */
export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  const utime = fields?.[11];
  const stime = fields?.[12];
  if (utime === undefined || stime === undefined) throw new Error(`/proc/${pid}/stat has no CPU times`);
  return Number(utime) + Number(stime);
}

/** Resident set size in MB (VmRSS), 0 once the process is gone. */
export function rssMb(pid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
