// Password hashing: bcrypt (pure-JS bcryptjs, no native build), cost from PASSWORD_HASH_COST, run on worker threads.
//
// Why threads and a cap: a hash costs ~0.3 s of CPU, and bcryptjs's async mode still blocks the event loop
// for up to 100 ms at a time. Signed-out requests (sign-in, invite) can ask for hashes at will, so every hash and
// compare goes through one pool: at most PASSWORD_HASH_CONCURRENCY at once, each on its own thread (requests
// keep being served meanwhile), up to PASSWORD_HASH_QUEUE waiting; beyond that the caller gets 429 at once.
import "server-only";
import { Worker } from "node:worker_threads";
import { getConfig } from "../../config";
import { AppError } from "../errors";

// Runs inside each worker. `require` resolves from the working directory (the project root, for the server and
// every CLI), where bcryptjs is installed.
// On Linux the thread lowers its own priority (nice 10: a thread is a task of its own there), so under a flood
// the threads serving requests win the CPU and hashing waits instead.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const bcrypt = require("bcryptjs");
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  if (tid > 0) require("node:os").setPriority(tid, 10);
} catch {}
parentPort.on("message", (job) => {
  try {
    const result = job.op === "hash" ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ ok: true, result });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
});`;

/**
 * The queue is full. A plain error, not an AppError: the pool is one per process (globalThis), shared by bundles
 * that each have their own AppError class, so the callers below turn it into theirs.
 */
export class PoolFullError extends Error {
  readonly poolFull = true;
  constructor() {
    super("password pool full");
  }
}

type Job = { op: "hash"; password: string; cost: number } | { op: "compare"; password: string; hash: string };

/** How much hashing work was started, by kind (tests check that refused requests start none). */
export const passwordWork = { hash: 0, compare: 0 };

export class PasswordPool {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idle: Worker[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Every thread busy and the queue full: the next job would be refused. */
  get full(): boolean {
    return this.active >= this.concurrency && this.waiting.length >= this.maxQueue;
  }

  async run<T>(job: Job): Promise<T> {
    await this.acquire();
    try {
      passwordWork[job.op]++;
      return (await this.exec(job)) as T;
    } finally {
      this.release();
    }
  }

  /** Stops the idle threads (tests; the pool starts new ones when asked again). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new PoolFullError());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private exec(job: Job): Promise<unknown> {
    const worker = this.idle.pop() ?? new Worker(WORKER_SOURCE, { eval: true });
    // Held while working so a CLI waits for its hash; let go when idle so an idle pool never keeps a process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      const done = (fn: () => void, keep: boolean) => {
        worker.removeAllListeners("message").removeAllListeners("error").removeAllListeners("exit");
        if (keep) {
          worker.unref();
          this.idle.push(worker);
        } else void worker.terminate();
        fn();
      };
      worker.once("message", (m: { ok: boolean; result?: unknown; error?: string }) =>
        done(() => (m.ok ? resolve(m.result) : reject(new Error(`password hashing failed: ${m.error}`))), true),
      );
      worker.once("error", (err) => done(() => reject(err), false));
      worker.once("exit", (code) => done(() => reject(new Error(`password worker exited (${code})`)), false));
      worker.postMessage(job);
    });
  }
}

const state = globalThis as typeof globalThis & { __oprlPasswordPool?: PasswordPool; __oprlDummyHash?: Promise<string> };

/** Whether this process's pool would refuse a job now (false before its first job). Read by the node guard. */
export function passwordPoolFull(): boolean {
  return state.__oprlPasswordPool?.full ?? false;
}

function pool(): PasswordPool {
  const { PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE } = getConfig();
  return (state.__oprlPasswordPool ??= new PasswordPool(PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE));
}

/** A job on the process's pool; a full queue is a 429 with Retry-After. */
async function pooled<T>(job: Job): Promise<T> {
  try {
    return await pool().run<T>(job);
  } catch (err) {
    if ((err as { poolFull?: boolean } | null)?.poolFull) {
      throw new AppError("RATE_LIMITED", "the server is busy checking passwords: try again in a moment", { retryAfterSec: 1 });
    }
    throw err;
  }
}

export function hashPassword(password: string): Promise<string> {
  return pooled<string>({ op: "hash", password, cost: getConfig().PASSWORD_HASH_COST });
}

/** A hash of the configured cost to compare against when there is none (made once per process). */
function dummyHash(): Promise<string> {
  if (!state.__oprlDummyHash) {
    const made = hashPassword("not a real password, only spends the time");
    state.__oprlDummyHash = made;
    // A refusal (pool full) must not stick: the next caller tries again.
    made.catch(() => {
      if (state.__oprlDummyHash === made) state.__oprlDummyHash = undefined;
    });
  }
  return state.__oprlDummyHash;
}

/**
 * Checks a password against a stored hash. With no hash (unknown user, no password set) it still runs one
 * comparison, at the same cost and through the same pool, so the answer takes as long and does not tell which
 * names exist.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    await pooled<boolean>({ op: "compare", password, hash: await dummyHash() });
    return false;
  }
  return pooled<boolean>({ op: "compare", password, hash });
}
