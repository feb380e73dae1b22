// The training worker: claims queued rounds from the database and runs them, one computing at a time (a round
// waiting for people's labels lets the next one run), beside the
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
import { ComputeSlot } from "./compute-slot";
import { getConfig } from "../../config";

export interface WorkerOptions {
  pollMs?: number;
  /** A running round whose heartbeat is older than this belongs to a dead worker. */
  staleMs?: number;
  /** Rounds held at once: one computes, the others wait for labels (default WORKER_MAX_ROUNDS). */
  maxRounds?: number;
  log?: (line: string) => void;
}

export class TrainingWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly staleMs: number;
  private readonly maxRounds: number;
  private readonly log: (line: string) => void;
  /** One round computes at a time; a round waiting for people's labels gives the slot up. */
  private readonly slot = new ComputeSlot();
  /** Rounds this worker runs now (computing or waiting for labels), by id. */
  private readonly running = new Map<string, Promise<void>>();
  /** Rounds a database fault interrupted, to resume without counting it as a worker restart. */
  private readonly faulted = new Set<string>();
  /** Consecutive database faults (failed claims, interrupted rounds): the wait before the next try doubles. */
  private faults = 0;
  /** No claim before this time (a database fault backs off). */
  private retryAt = 0;

  constructor(
    private readonly db: Db,
    opts: WorkerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
    this.maxRounds = opts.maxRounds ?? getConfig().WORKER_MAX_ROUNDS;
    this.log = opts.log ?? ((line) => console.log(`[worker] ${line}`));
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Claims one round (claim.ts): an orphaned running one first (to resume), else the oldest queued. */
  async claim(): Promise<TrainingRound | null> {
    const claimed = await claimNext(this.db, { workerId: this.id, staleMs: this.staleMs, running: new Set(this.running.keys()) });
    if (claimed?.resumed) {
      this.log(`resuming round ${claimed.round.index} of ${claimed.round.experimentId} (worker ${claimed.previousWorker ?? "?"} stopped)`);
    }
    return claimed?.round ?? null;
  }

  /**
   * Runs until stop(): takes the compute slot, claims a round and starts it (it keeps the slot while it computes,
   * and gives it up while it waits for labels, when the next round can be claimed); sleeps `pollMs` when there is
   * nothing to do. On stop, waits for its rounds to stop at their next flush.
   */
  async loop(): Promise<void> {
    this.log(`started ${this.id}`);
    await ensureDemo(this.db).catch((err) => this.log(`demo data not created: ${(err as Error).message}`));
    while (!this.stopping) {
      await this.slot.acquire();
      let round: TrainingRound | null = null;
      if (!this.stopping && this.running.size < this.maxRounds && Date.now() >= this.retryAt) {
        try {
          round = await this.claim();
        } catch (err) {
          this.log(`claim failed: ${(err as Error).message.split("\n").filter(Boolean).pop()}`);
          this.backOff();
        }
      }
      if (round) {
        this.start(round);
        continue;
      }
      this.slot.release();
      if (this.stopping) break;
      await this.sleep(Math.max(this.pollMs, this.retryAt - Date.now()));
    }
    await Promise.all(this.running.values());
    this.log("stopped");
  }

  /** Runs `round` (the caller holds the slot, which it gets back when the round ends) without waiting for it. */
  private start(round: TrainingRound): void {
    this.log(`running round ${round.index} of ${round.experimentId} (${round.episodesTotal} episodes)`);
    const done = this.run(round)
      .then((outcome) => {
        this.log(`round ${round.index} of ${round.experimentId}: ${outcome}`);
        if (outcome === "interrupted") this.backOff();
        else this.faults = 0;
      })
      .catch((err) => this.log(`round ${round.id}: ${(err as Error).message}`))
      .finally(() => {
        this.running.delete(round.id);
        this.slot.release();
        this.wake?.();
      });
    this.running.set(round.id, done);
  }

  /** While the database is faulty, wait longer each time (up to 30 s) instead of hammering it. */
  private backOff(): void {
    this.faults += 1;
    this.retryAt = Date.now() + Math.min(30_000, this.pollMs * 2 ** Math.min(this.faults, 10));
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  /** Runs queued rounds one after another until none is left (tests, scripts). */
  async drain(): Promise<void> {
    for (;;) {
      const round = await this.claim();
      if (!round) return;
      await this.slot.acquire();
      try {
        if ((await this.run(round)) === "interrupted") return;
      } finally {
        this.slot.release();
      }
    }
  }

  private async run(round: TrainingRound) {
    const afterFault = this.faulted.delete(round.id);
    const outcome = await new RoundRun(this.db, round, this.id, () => this.stopping, this.log, afterFault, this.slot).run();
    if (outcome === "interrupted") this.faulted.add(round.id);
    return outcome;
  }
}
