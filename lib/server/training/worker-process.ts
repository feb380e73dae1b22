// Spawns lib/cli/worker.ts as a child of the web server, once per server process, and supervises it: a
// child that dies is restarted after an exponential backoff (capped), each time with a log line naming
// the attempt, the delay and how it ended; one that keeps dying is reported loudly and still retried at
// the cap (its rounds resume from their checkpoints). The child is stopped with the server; the server's
// own signal handling (Next's) decides when the server exits, never this module.
import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface BackoffPolicy {
  /** Delay before the first restart. */
  baseMs: number;
  factor: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** A child that stayed up this long was healthy: the next death counts from attempt 1 again. */
  stableAfterMs: number;
  /** From this many deaths in a row on, every restart is logged as an error that asks for attention. */
  loudAfter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, factor: 2, maxMs: 60_000, stableAfterMs: 60_000, loudAfter: 5 };

/** Milliseconds to wait before restart number `attempt` (1, 2, ...): base * factor^(attempt-1), capped. */
export function restartDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxMs, Math.round(policy.baseMs * policy.factor ** (n - 1)));
}

/** The attempt number after a child that ran `ranMs` died, given the previous one. */
export function nextAttempt(previous: number, ranMs: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return ranMs >= policy.stableAfterMs ? 1 : previous + 1;
}

export interface SupervisorOptions {
  /** The script to run (default lib/cli/worker.ts), with tsx under the react-server condition. */
  entry?: string;
  policy?: BackoffPolicy;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

export interface Supervisor {
  readonly child: () => ChildProcess | null;
  stop(): void;
}

const state = globalThis as typeof globalThis & { __oprlWorker?: Supervisor };

export function startWorkerProcess(opts: SupervisorOptions = {}): Supervisor {
  if (state.__oprlWorker) return state.__oprlWorker;
  const policy = opts.policy ?? DEFAULT_BACKOFF;
  const log = opts.log ?? ((line: string) => console.log(`[worker] ${line}`));
  const error = opts.error ?? ((line: string) => console.error(`[worker] ${line}`));
  const entry = opts.entry ?? path.join(process.cwd(), "lib", "cli", "worker.ts");
  let child: ChildProcess | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let shuttingDown = false;

  const start = () => {
    timer = null;
    if (shuttingDown) return;
    const startedAt = Date.now();
    const c = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", entry], {
      cwd: process.cwd(),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // A session of its own, so its low priority counts against other sessions too (lib/cli/worker.ts). It still
      // goes with the server: stop() sends it SIGTERM, and it leaves when the IPC channel closes (the server died).
      detached: true,
    });
    child = c;
    c.on("error", (err) => error(`could not start: ${err.message}`));
    c.on("exit", (code, signal) => {
      if (child === c) child = null;
      if (shuttingDown) return;
      const ranMs = Date.now() - startedAt;
      attempt = nextAttempt(attempt, ranMs, policy);
      const delay = restartDelay(attempt, policy);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const line = `process ${c.pid ?? "?"} ended (${how}) after ${(ranMs / 1000).toFixed(1)} s; restart attempt ${attempt} in ${(delay / 1000).toFixed(1)} s`;
      if (attempt >= policy.loudAfter) {
        error(
          `${line}. It has died ${attempt} times in a row: training rounds make no progress until it stays up (see its errors above); retrying every ${(restartDelay(Infinity, policy) / 1000).toFixed(0)} s at most.`,
        );
      } else {
        error(line);
      }
      timer = setTimeout(start, delay);
    });
  };

  const stop = () => {
    shuttingDown = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stop);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      stop();
      // Next installs its own handlers and exits the server itself; with none left, keep the default
      // behaviour of the signal (terminate) instead of leaving a server that ignores it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
  const supervisor: Supervisor = { child: () => child, stop };
  state.__oprlWorker = supervisor;
  log(`supervising the training worker (${path.relative(process.cwd(), entry) || entry})`);
  start();
  return supervisor;
}
