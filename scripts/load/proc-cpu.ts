// CPU time of process trees, read from /proc (Linux): what the load test charges to the app and to the database.
// A process's utime+stime plus cutime+cstime (children it has reaped), summed over every live process of the tree,
// counts processes that ended between two readings too: their time moved into their parent's cutime/cstime.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { procStatComm, procStatFields } from "../../lib/cli/proc-stat";

let ticks: number | undefined;
/** Clock ticks per second (USER_HZ), usually 100. */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

type Stat = { pid: number; ppid: number; comm: string; cpuTicks: number };

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = procStatComm(text);
    const f = procStatFields(text).map(Number);
    // After comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    return { pid, ppid: f[1], comm, cpuTicks: f[11] + f[12] + f[13] + f[14] };
  } catch {
    return null; // gone
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The live processes whose parent is `pid` (none without /proc). */
export function childrenOf(pid: number): number[] {
  if (!existsSync("/proc")) return [];
  return allStats()
    .filter((s) => s.ppid === pid)
    .map((s) => s.pid);
}

/** CPU milliseconds used so far by the processes `roots` and all their live descendants (and the ones they reaped). */
export function treeCpuMs(roots: number[]): number {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const seen = new Set<number>();
  let total = 0;
  const visit = (s: Stat) => {
    if (seen.has(s.pid)) return;
    seen.add(s.pid);
    total += s.cpuTicks;
    for (const c of children.get(s.pid) ?? []) visit(c);
  };
  for (const pid of roots) {
    const s = stats.find((x) => x.pid === pid);
    if (s) visit(s);
  }
  return (total * 1000) / clockTicks();
}

/**
 * The PostgreSQL server process (postmaster) of this machine that runs the backend `backendPid`, or null when that
 * pid is not a local postgres process (a server on another host, or in another pid namespace).
 */
export function localPostmaster(backendPid: number): number | null {
  const backend = readStat(backendPid);
  if (!backend || !backend.comm.startsWith("postgres")) return null;
  const parent = readStat(backend.ppid);
  return parent && parent.comm.startsWith("postgres") ? parent.pid : null;
}

/** Whether /proc can be read at all (Linux). */
export function procAvailable(): boolean {
  return readStat(process.pid) !== null;
}
