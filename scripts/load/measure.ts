// One measured stretch of a load run: labellers for a while against the instances, with the CPU time the app's
// processes and the database server used meanwhile (from /proc), and the figures per instance and in total.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { databaseKind } from "../../lib/config";
import { LoadRun, latencyStats, type Labeller } from "./labellers";
import { localPostmaster, procAvailable, treeCpuMs } from "./proc-cpu";

export interface CpuSources {
  /** Per instance: the server's process id(s) (their children counted too), or null when unknown. */
  app: (number[] | null)[];
  /** The local PostgreSQL server's main process, or null (SQLite: in the app's process; or not on this machine). */
  db: number | null;
  dbNote: string;
}

/** Where the database's CPU time can be read: the postmaster of a local PostgreSQL (found from a backend's pid). */
export async function dbCpuSource(databaseUrl: string | undefined): Promise<{ pid: number | null; note: string }> {
  if (!databaseUrl) return { pid: null, note: "database CPU not measured (no --database-url)" };
  if (databaseKind(databaseUrl) === "sqlite") return { pid: null, note: "SQLite runs inside the app's processes: its CPU is part of the app CPU" };
  if (!procAvailable()) return { pid: null, note: "database CPU not measured (no /proc)" };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = localPostmaster(rows[0].pid);
    return pid
      ? { pid, note: `PostgreSQL's processes on this machine (postmaster ${pid} and its children), from /proc` }
      : { pid: null, note: "database CPU not measured (the PostgreSQL server is not a process of this machine)" };
  } finally {
    await client.end();
  }
}

export interface InstanceFigures {
  base: string;
  labels: number;
  labelsPerS: number;
  latency: ReturnType<typeof latencyStats>;
  errors: Record<string, number>;
  appCpuMs: number | null;
}

export interface PhaseFigures {
  seconds: number;
  instances: InstanceFigures[];
  labels: number;
  labelsPerS: number;
  latency: ReturnType<typeof latencyStats>;
  appCpuMsPerLabel: number | null;
  dbCpuMs: number | null;
  dbCpuMsPerLabel: number | null;
  emptyQueue: number;
}

/** Runs `labellers` on `run` for `seconds` and measures; `during` runs alongside (e.g. restarting an instance). */
export async function measurePhase(run: LoadRun, labellers: Labeller[], seconds: number, cpu: CpuSources, during?: () => Promise<void>): Promise<PhaseFigures> {
  const appBefore = cpu.app.map((pids) => (pids ? treeCpuMs(pids) : null));
  const dbBefore = cpu.db ? treeCpuMs([cpu.db]) : null;
  const t0 = performance.now();
  await Promise.all([run.run(labellers, seconds * 1000), during?.()]);
  const elapsed = (performance.now() - t0) / 1000;
  const appAfter = cpu.app.map((pids) => (pids ? treeCpuMs(pids) : null));
  const dbCpuMs = cpu.db && dbBefore !== null ? treeCpuMs([cpu.db]) - dbBefore : null;
  const instances = run.instances.map((inst, i) => ({
    base: inst.base,
    labels: inst.labels,
    labelsPerS: inst.labels / elapsed,
    latency: latencyStats(inst.latency),
    errors: Object.fromEntries(inst.errors),
    appCpuMs: appAfter[i] !== null && appBefore[i] !== null ? Math.max(0, appAfter[i]! - appBefore[i]!) : null,
  }));
  const labels = instances.reduce((a, x) => a + x.labels, 0);
  const appKnown = instances.every((x) => x.appCpuMs !== null);
  return {
    seconds: elapsed,
    instances,
    labels,
    labelsPerS: labels / elapsed,
    latency: latencyStats(run.instances.flatMap((x) => x.latency)),
    appCpuMsPerLabel: appKnown && labels ? instances.reduce((a, x) => a + x.appCpuMs!, 0) / labels : null,
    dbCpuMs,
    dbCpuMsPerLabel: dbCpuMs !== null && labels ? dbCpuMs / labels : null,
    emptyQueue: run.emptyQueue,
  };
}

export const f1 = (x: number | null | undefined) => (x !== null && x !== undefined && Number.isFinite(x) ? x.toFixed(1) : "–");
export const ms = (x: number) => (Number.isFinite(x) ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`) : "–");
export const errorsText = (e: Record<string, number>) =>
  Object.keys(e).length
    ? Object.entries(e)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ")
    : "none";
