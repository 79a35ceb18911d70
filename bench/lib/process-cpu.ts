/**
 * CPU time PostgreSQL's processes on this machine have used, in ms (Linux /proc; undefined elsewhere or
 * where the server runs on another host): what a scenario costs the database, read before and after it.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Linux reports utime and stime in clock ticks: 100 per second on every architecture Node runs on here. */
const MS_PER_TICK = 10;

export async function postgresCpuMs(): Promise<number | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    // "pid (comm) state ppid ...": comm may hold spaces, so fields are counted after its closing paren.
    const close = stat?.lastIndexOf(')') ?? -1;
    if (!stat || close < 0 || stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    // Fields 14–17 of stat (utime, stime, cutime, cstime), counted here from field 3 (state): the server's
    // own time and, in its children's fields, that of the backends that ended and were reaped meanwhile.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks * MS_PER_TICK : undefined;
}
