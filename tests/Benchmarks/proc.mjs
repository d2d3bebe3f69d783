// CPU accounting from /proc, shared by bench.mjs and signin.mjs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

// proc(5): utime and stime are fields 14 and 15; the command name (field 2) may hold spaces
// and parentheses, so count from the last ')'.
export function processTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU ticks of a PostgreSQL cluster: the postmaster and its children (backends, WAL writer...). */
export function clusterTicks(postmasterPid) {
  let ticks = processTicks(postmasterPid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === postmasterPid) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks;
}

