// The training worker: claims queued rounds from the database and runs them one at a time, beside the
// web server (started by instrumentation.ts) or alone (`npm run worker`). On start it takes over rounds
// left running by a worker that died (stale heartbeat) and resumes them from their last checkpoint.
import "server-only";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { ensureDemo } from "../experiments/demo";
import type { TrainingRound } from "../../../generated/sqlite/client";
import { claimNext, DEFAULT_STALE_MS } from "./claim";
import { RoundRun } from "./round-runner";

export interface WorkerOptions {
  pollMs?: number;
  /** A running round whose heartbeat is older than this belongs to a dead worker. */
  staleMs?: number;
  log?: (line: string) => void;
}

export class TrainingWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly staleMs: number;
  private readonly log: (line: string) => void;
  /** Rounds a database fault interrupted, to resume without counting it as a worker restart. */
  private readonly faulted = new Set<string>();
  /** Consecutive database faults (failed claims, interrupted rounds): the wait before the next try doubles. */
  private faults = 0;

  constructor(
    private readonly db: Db,
    opts: WorkerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
    this.log = opts.log ?? ((line) => console.log(`[worker] ${line}`));
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Claims one round (claim.ts): an orphaned running one first (to resume), else the oldest queued. */
  async claim(): Promise<TrainingRound | null> {
    const claimed = await claimNext(this.db, { workerId: this.id, staleMs: this.staleMs });
    if (claimed?.resumed) {
      this.log(`resuming round ${claimed.round.index} of ${claimed.round.experimentId} (worker ${claimed.previousWorker ?? "?"} stopped)`);
    }
    return claimed?.round ?? null;
  }

  /** Runs until stop(): claim, run, repeat; sleeps `pollMs` when there is nothing to do. */
  async loop(): Promise<void> {
    this.log(`started ${this.id}`);
    await ensureDemo(this.db).catch((err) => this.log(`demo data not created: ${(err as Error).message}`));
    while (!this.stopping) {
      let round = null;
      let faulted = false;
      try {
        round = await this.claim();
      } catch (err) {
        this.log(`claim failed: ${(err as Error).message.split("\n").filter(Boolean).pop()}`);
        faulted = true;
      }
      if (round) {
        this.log(`running round ${round.index} of ${round.experimentId} (${round.episodesTotal} episodes)`);
        const outcome = await this.run(round);
        this.log(`round ${round.index} of ${round.experimentId}: ${outcome}`);
        if (outcome !== "interrupted") {
          this.faults = 0;
          continue;
        }
        faulted = true;
      }
      // While the database is faulty, wait longer each time (up to 30 s) instead of hammering it.
      this.faults = faulted ? this.faults + 1 : 0;
      const wait = faulted ? Math.min(30_000, this.pollMs * 2 ** Math.min(this.faults, 10)) : this.pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    this.log("stopped");
  }

  /** Runs queued rounds until none is left (tests, scripts). */
  async drain(): Promise<void> {
    for (;;) {
      const round = await this.claim();
      if (!round) return;
      if ((await this.run(round)) === "interrupted") return;
    }
  }

  private async run(round: TrainingRound) {
    const afterFault = this.faulted.delete(round.id);
    const outcome = await new RoundRun(this.db, round, this.id, () => this.stopping, this.log, afterFault).run();
    if (outcome === "interrupted") this.faulted.add(round.id);
    return outcome;
  }
}
