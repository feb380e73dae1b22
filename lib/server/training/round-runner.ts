// One training round, run by the worker (never inside a request): the learning steps are lib/rl/round.ts
// (the same core as the in-memory trainer); this module is the database side of them: restore from the
// last checkpoint, heartbeat and cancellation, resumes, and a RoundIo that commits trajectories, metrics,
// progress and a mid-round checkpoint together at every flush, so a killed worker resumes from the last
// flush and loses nothing it committed.
import "server-only";
import { Rng } from "../../rng";
import { OprlAgent } from "../../rl/agent";
import { initBackend } from "../../rl/backend";
import { roundStrategies, runRound, summarizeRound, type RoundIo, type RoundPlan, type RoundResult, type StopReason } from "../../rl/round";
import type { Db, DbOrTx } from "../db/client";
import { parseStoredConfig, type StoredConfig } from "../experiments/config";
import { applyCheckpoint, encodeCheckpoint, type CheckpointMeta, type EncodedCheckpoint } from "./checkpoint";
import { rewardUpdateMetrics, roundMetric, writeEpisodeMetrics } from "./round-metrics";
import { phaseProgress, readRoundState, writeRoundState, type RoundPhase, type RoundState } from "./round-state";
import {
  labelCounts,
  labelMissingSynthetically,
  labelsWantedFor,
  loadPreferences,
  loadRoundPool,
  newEpisodeId,
  pairRows,
  trajectoryRow,
  type PendingEpisode,
} from "./round-store";
import type { TrainingRound } from "../../../generated/sqlite/client";

const FLUSH_EVERY_EPISODES = 25;
const FLUSH_EVERY_MS = 1000;
const HEARTBEAT_MS = 2000;
const LABEL_POLL_MS = 1000;
const MAX_RESUMES = 3;

export type RoundOutcome = "done" | "cancelled" | "stopped" | "failed";

export class RoundRun {
  private cancelled = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private state!: RoundState;
  private agent!: OprlAgent;
  private config!: StoredConfig;
  private pending: PendingEpisode[] = [];
  private episodesDone = 0;
  private baseEpisodes = 0;
  private lastFlush = 0;

  constructor(
    private readonly db: Db,
    private round: TrainingRound,
    private readonly workerId: string,
    /** Set when the process is shutting down: stop at the next flush, leave the round to be resumed. */
    private readonly stopping: () => boolean,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async run(): Promise<RoundOutcome> {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    try {
      return await this.execute();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log(`round ${this.round.id} failed: ${reason}`);
      await this.finish("failed", `${this.state?.phase ?? "starting"}: ${reason}`.slice(0, 1000));
      return "failed";
    } finally {
      if (this.heartbeat) clearInterval(this.heartbeat);
    }
  }

  /** Heartbeat; a round that is no longer running for this worker (cancelled) stops at the next check. */
  private async beat(): Promise<void> {
    try {
      const { count } = await this.db.trainingRound.updateMany({
        where: { id: this.round.id, status: "running", workerId: this.workerId },
        data: { heartbeatAt: new Date() },
      });
      if (count === 0) this.cancelled = true;
    } catch (err) {
      this.log(`heartbeat failed: ${(err as Error).message}`);
    }
  }

  private shouldStop(): StopReason | null {
    if (this.cancelled) return "cancelled";
    if (this.stopping()) return "stopped";
    return null;
  }

  private async execute(): Promise<RoundOutcome> {
    const db = this.db;
    const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
    this.config = parseStoredConfig(exp.config);
    const previous = await readRoundState(db, this.round.id);
    const resumes = previous ? previous.resumes + 1 : 0;
    if (previous && resumes > MAX_RESUMES) {
      throw new Error(`resumed ${MAX_RESUMES} times without finishing (last phase: ${previous.phase}); start a new round`);
    }
    this.state = {
      phase: "collecting",
      collectStartedAt: Date.now(),
      collectStartEpisodes: 0,
      labelsHave: 0,
      labelsTarget: 0,
      labelDeadline: null,
      resumes,
      note: previous ? `resumed after a worker restart (${resumes}x)` : null,
    };

    await initBackend("auto", this.log);
    this.agent = new OprlAgent(this.config, new Rng(`${this.config.seed}:round:${this.round.index}:${resumes}`));
    try {
      const plan = await this.restore();
      const { studio } = this.config;
      const { labelsPerPair } = await this.db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId }, select: { labelsPerPair: true } });
      const settings = {
        pairsPerRound: studio.pairsPerRound,
        labelBudget: this.config.preferences.budget,
        labelsPerPair,
        rewardUpdates: studio.rewardUpdates,
        evalEpisodes: this.config.evalEpisodes,
      };
      const strategies = roundStrategies(studio.pairSelection, this.config.rewardModel.kind);
      const result = await runRound(this.agent, plan, settings, strategies, this.io());
      return typeof result === "string" ? await this.finish(result) : await this.complete(result);
    } finally {
      this.agent.dispose();
    }
  }

  /** Restores the agent from this round's mid-round checkpoint (a resume) or the experiment's last one. */
  private async restore(): Promise<RoundPlan> {
    const db = this.db;
    const mid = await db.checkpoint.findFirst({ where: { roundId: this.round.id }, orderBy: { createdAt: "desc" } });
    const base = mid ? null : await db.checkpoint.findFirst({ where: { experimentId: this.round.experimentId }, orderBy: { createdAt: "desc" } });
    const cp = mid ?? base;
    const meta = cp ? applyCheckpoint(this.agent, cp) : null;
    this.baseEpisodes = mid ? meta!.baseEpisodes : (meta?.baseEpisodes ?? 0) + (meta?.episodesDone ?? 0);
    this.episodesDone = mid ? meta!.episodesDone : 0;
    return {
      index: this.round.index,
      baseEpisodes: this.baseEpisodes,
      episodesTotal: this.round.episodesTotal,
      episodesDone: this.episodesDone,
      // Episodes this round already committed (a resumed round) are candidates for its pairs too.
      pool: mid ? await loadRoundPool(db, this.round) : [],
      pairIds: mid && meta!.phase !== "collect" ? (meta!.pairIds ?? []) : undefined,
    };
  }

  /** The database side of the round's steps. */
  private io(): RoundIo {
    const db = this.db;
    const { studio } = this.config;
    return {
      shouldStop: () => this.shouldStop(),
      enter: async (step) => {
        this.state.phase = step;
        if (step === "collecting") {
          this.state.collectStartedAt = Date.now();
          this.state.collectStartEpisodes = this.episodesDone;
          await this.flush();
        } else if (step !== "labelling") {
          // Labelling writes its own progress (labels received) as it waits.
          await this.writeProgress(db, phaseProgress(step));
        }
      },
      episode: async (step, done) => {
        const id = newEpisodeId();
        this.pending.push({ id, step });
        this.episodesDone = done;
        if (this.pending.length >= FLUSH_EVERY_EPISODES || Date.now() - this.lastFlush >= FLUSH_EVERY_MS) await this.flush();
        return id;
      },
      collected: () => this.flush(),
      labelled: async () => (await loadPreferences(db, this.round.experimentId, studio.heldOutShare)).train,
      labelCount: () => db.label.count({ where: { pair: { experimentId: this.round.experimentId }, choice: { not: "skip" } } }),
      storePairs: async (pairs, selection) => {
        const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
        const rows = pairRows(this.round.experimentId, pairs, selection, labelsWantedFor(exp));
        const pairIds = rows.map((p) => p.id);
        const checkpoint = this.checkpointData("labels", pairIds);
        this.state.phase = "labelling";
        await db.$transaction(async (tx) => {
          await tx.pair.createMany({ data: rows });
          await this.replaceCheckpoint(tx, checkpoint);
          await this.writeProgress(tx, phaseProgress("labelling"));
        });
        return pairIds;
      },
      labels: async (pairIds) => {
        const stop = await this.waitForLabels(pairIds);
        return stop ?? loadPreferences(db, this.round.experimentId, studio.heldOutShare);
      },
      note: (text) => this.addNote(text),
    };
  }

  /** Notes accumulate ("resumed ...; time limit reached ..."): a later one must not hide an earlier one. */
  private addNote(text: string) {
    this.state.note = this.state.note ? `${this.state.note}; ${text}` : text;
  }

  private checkpointData(phase: CheckpointMeta["phase"], pairIds?: string[]) {
    const meta = { phase, roundIndex: this.round.index, baseEpisodes: this.baseEpisodes, episodesDone: this.episodesDone, ...(pairIds ? { pairIds } : {}) };
    return { experimentId: this.round.experimentId, roundId: this.round.id, ...encodeCheckpoint(this.agent, meta) };
  }

  private async replaceCheckpoint(tx: DbOrTx, checkpoint: EncodedCheckpoint & { experimentId: string; roundId: string }) {
    await tx.checkpoint.deleteMany({ where: { roundId: this.round.id } });
    await tx.checkpoint.create({ data: checkpoint });
  }

  /** Commits pending episodes, their metrics, progress and a mid-round checkpoint in one transaction. */
  private async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    const progress = phaseProgress("collecting", this.episodesDone / Math.max(1, this.round.episodesTotal));
    const checkpoint = this.checkpointData("collect");
    await this.db.$transaction(async (tx) => {
      if (rows.length) {
        await tx.trajectory.createMany({ data: rows.map((r) => trajectoryRow(this.round, r)) });
        await writeEpisodeMetrics(
          tx,
          this.round,
          rows.map((r) => r.step),
        );
      }
      await this.replaceCheckpoint(tx, checkpoint);
      await this.writeProgress(tx, progress);
    });
    this.lastFlush = Date.now();
  }

  private async writeProgress(tx: DbOrTx, progress: number): Promise<void> {
    this.round = { ...this.round, progress };
    await tx.trainingRound.updateMany({
      where: { id: this.round.id, status: "running" },
      data: { progress, episodesDone: this.episodesDone, heartbeatAt: new Date(), state: JSON.stringify(this.state) },
    });
  }

  /** Human mode: wait until the round's pairs have their labels or the time limit passes (mode changes are honoured). */
  private async waitForLabels(pairIds: string[]): Promise<StopReason | null> {
    const db = this.db;
    const limitMs = this.config.studio.labelTimeLimitSec * 1000;
    const started = Date.now();
    for (;;) {
      const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
      const target = pairIds.length * exp.labelsPerPair;
      if (exp.labellingMode !== "human") {
        await labelMissingSynthetically(db, this.agent, pairIds);
        this.state.labelsTarget = pairIds.length;
        this.state.labelsHave = await db.label.count({ where: { pairId: { in: pairIds }, choice: { not: "skip" } } });
        return null;
      }
      const have = await db.label.count({ where: { pairId: { in: pairIds }, source: "human", choice: { not: "skip" } } });
      this.state.labelsHave = have;
      this.state.labelsTarget = target;
      this.state.labelDeadline = started + limitMs;
      const done = have >= target || Date.now() - started >= limitMs;
      await this.writeProgress(db, phaseProgress("labelling", target ? have / target : 1));
      if (done) {
        if (have < target) this.addNote(`time limit reached with ${have} of ${target} labels: training on what there is`);
        return null;
      }
      const stop = this.shouldStop();
      if (stop) return stop;
      await new Promise((r) => setTimeout(r, LABEL_POLL_MS));
    }
  }

  /** Commits the round's result: reward-model steps, the summary, the final checkpoint, status done. */
  private async complete(result: RoundResult): Promise<RoundOutcome> {
    const db = this.db;
    this.episodesDone = result.episodesDone;
    const summary = summarizeRound(this.agent, this.round.index, result, await labelCounts(db, result.pairIds));
    const checkpoint = this.checkpointData("final");
    this.setPhase("finished");
    await db.$transaction(async (tx) => {
      if (result.rewardRows.length) await tx.metric.createMany({ data: rewardUpdateMetrics(this.round, result.rewardRows) });
      await tx.metric.create({ data: roundMetric(this.round, summary) });
      await this.replaceCheckpoint(tx, checkpoint);
      await tx.trainingRound.updateMany({
        where: { id: this.round.id, status: "running" },
        data: { status: "done", progress: 1, episodesDone: this.episodesDone, finishedAt: new Date(), heartbeatAt: new Date() },
      });
      await writeRoundState(tx, this.round.id, this.state);
    });
    this.log(
      `round ${this.round.index} of ${this.round.experimentId} done: success ${summary.successRate}, eval ${summary.evalSuccess}, spearman ${summary.spearman}`,
    );
    return "done";
  }

  private setPhase(phase: RoundPhase) {
    this.state.phase = phase;
  }

  /** Ends a round that will not complete: cancelled (already marked by the user), failed (with the reason) or stopped (left running to resume). */
  private async finish(outcome: "cancelled" | "stopped" | "failed", reason?: string): Promise<RoundOutcome> {
    const db = this.db;
    if (outcome === "failed") {
      await db.trainingRound.updateMany({
        where: { id: this.round.id, status: "running" },
        data: { status: "failed", finishedAt: new Date(), error: reason ?? "failed" },
      });
    }
    if (outcome === "stopped") this.log(`round ${this.round.index} paused for shutdown at ${this.state.phase}; it resumes on restart`);
    if (this.state) await writeRoundState(db, this.round.id, this.state).catch(() => {});
    return outcome;
  }
}
