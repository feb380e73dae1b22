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
import { isDatabaseUnavailable } from "../db/errors";
import { parseStoredConfig, type StoredConfig } from "../experiments/config";
import { applyCheckpoint, encodeCheckpoint, type CheckpointMeta, type EncodedCheckpoint } from "./checkpoint";
import { rewardUpdateMetrics, roundMetric, writeEpisodeMetrics } from "./round-metrics";
import { parseRoundState, phaseProgress, readRoundState, writeRoundState, type RoundPhase, type RoundState } from "./round-state";
import { pairsWaitingTooLong } from "../labelling/queue";
import { addOpenPairs } from "../labelling/counters";
import { uuidv7 } from "../db/ids";
import { GOLD_SELECTION, REPLACEMENT_SELECTION } from "../../contracts/words";
import {
  labelCounts,
  labelMissingSynthetically,
  labelsWantedFor,
  loadPreferences,
  loadRoundPool,
  newEpisodeId,
  pairRows,
  pairsEveryoneSkipped,
  replacementPair,
  roundPairsWhere,
  trajectoryRow,
  type PendingEpisode,
} from "./round-store";
import type { TrainingRound } from "../../../generated/sqlite/client";
import type { ComputeSlot } from "./compute-slot";

const FLUSH_EVERY_EPISODES = 25;
const FLUSH_EVERY_MS = 1000;
const HEARTBEAT_MS = 2000;
const LABEL_POLL_MS = 1000;
const MAX_RESUMES = 3;

/** "interrupted": a database fault (full, locked, unreachable) stopped it; it stays running to be resumed. */
export type RoundOutcome = "done" | "cancelled" | "stopped" | "failed" | "interrupted";

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
    /** This run resumes a round a database fault interrupted: that does not count against MAX_RESUMES. */
    private readonly afterFault = false,
    /** The worker's compute slot, held by the caller while the round runs; given up while it waits for people. */
    private readonly compute: ComputeSlot | null = null,
  ) {}

  async run(): Promise<RoundOutcome> {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    try {
      return await this.execute();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (isDatabaseUnavailable(err)) {
        // Not the round's fault, and the database may not even take a "failed": leave it running. Its last
        // committed flush is where it resumes once the database works again (the worker retries with backoff).
        this.log(`round ${this.round.id} interrupted by a database fault, to resume when it clears: ${reason.split("\n").filter(Boolean).pop()}`);
        return "interrupted";
      }
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
    const resumes = previous ? previous.resumes + (this.afterFault ? 0 : 1) : 0;
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
      labelsStartedAt: null,
      labelsClosedAt: null,
      replacedPairs: previous?.replacedPairs ?? 0,
      skippedToTeacher: previous?.skippedToTeacher ?? 0,
      teacherLabelled: previous?.teacherLabelled ?? 0,
      lateLabels: 0,
      lateFromRound: null,
      resumes,
      note: previous ? (this.afterFault ? "resumed after a database fault" : `resumed after a worker restart (${resumes}x)`) : null,
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
    const meta = cp ? await applyCheckpoint(this.agent, cp) : null;
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
      labelCount: () =>
        db.label.count({ where: { pair: { experimentId: this.round.experimentId, selection: { not: GOLD_SELECTION } }, choice: { not: "skip" } } }),
      storePairs: async (pairs, selection) => {
        const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
        const rows = pairRows(this.round.experimentId, pairs, selection, labelsWantedFor(exp));
        const pairIds = rows.map((p) => p.id);
        const checkpoint = await this.checkpointData("labels", pairIds);
        this.state.phase = "labelling";
        await db.$transaction(async (tx) => {
          await tx.pair.createMany({ data: rows });
          await addOpenPairs(tx, this.round.experimentId, rows.length);
          await this.replaceCheckpoint(tx, checkpoint);
          await this.writeProgress(tx, phaseProgress("labelling"));
        });
        return pairIds;
      },
      labels: async (pairIds) => {
        // Waiting for people takes no CPU: the worker's other rounds compute meanwhile.
        this.compute?.release();
        let stop: StopReason | null;
        try {
          stop = await this.waitForLabels(pairIds);
        } finally {
          await this.compute?.acquire();
        }
        if (stop) return stop;
        await this.countLateLabels();
        return loadPreferences(db, this.round.experimentId, studio.heldOutShare);
      },
      note: (text) => this.addNote(text),
    };
  }

  /** Notes accumulate ("resumed ...; time limit reached ..."): a later one must not hide an earlier one. */
  private addNote(text: string) {
    this.state.note = this.state.note ? `${this.state.note}; ${text}` : text;
  }

  private async checkpointData(phase: CheckpointMeta["phase"], pairIds?: string[]) {
    const meta = { phase, roundIndex: this.round.index, baseEpisodes: this.baseEpisodes, episodesDone: this.episodesDone, ...(pairIds ? { pairIds } : {}) };
    return { experimentId: this.round.experimentId, roundId: this.round.id, ...(await encodeCheckpoint(this.agent, meta)) };
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
    const checkpoint = await this.checkpointData("collect");
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

  /**
   * Gets the round's pairs labelled. Synthetic: the teacher labels them at once. Human: people, until the pairs
   * have their decided labels or the time limit passes. Mixed: people first; the teacher labels a pair nobody
   * labelled within the experiment's teacherAfterSec, and what is left at the time limit. A pair everyone
   * skipped is replaced by a new pair (mixed: handed to the teacher), so skips never block the round. When it
   * stops, the round's open pairs leave the queue (retired): a label still given on one is kept, and the next
   * round trains on it. Mode changes are honoured.
   */
  private async waitForLabels(pairIds: string[]): Promise<StopReason | null> {
    const db = this.db;
    const limitMs = this.config.studio.labelTimeLimitSec * 1000;
    const started = Date.now();
    const where = roundPairsWhere(this.round);
    this.state.labelsStartedAt = started;
    this.state.labelDeadline = started + limitMs;
    for (;;) {
      const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
      const mode = exp.labellingMode;
      if (mode === "synthetic") {
        await labelMissingSynthetically(db, this.agent, await this.openPairIds());
        this.state.labelsTarget = pairIds.length;
        this.state.labelsHave = await db.label.count({ where: { pair: where, choice: { not: "skip" } } });
        return this.closeLabelling();
      }
      await this.replaceSkipped(mode, labelsWantedFor(exp));
      if (mode === "mixed") {
        const waiting = await pairsWaitingTooLong(db, this.round.experimentId, this.config.studio.teacherAfterSec * 1000, { round: this.round.index });
        this.state.teacherLabelled += await this.teacherSettles(waiting.map((p) => p.id));
      }
      const target = pairIds.length * exp.labelsPerPair;
      const [have, open] = await Promise.all([
        db.label.count({ where: { pair: where, choice: { not: "skip" }, ...(mode === "human" ? { source: "human" as const } : {}) } }),
        db.pair.count({ where: { ...where, status: "open" } }),
      ]);
      this.state.labelsHave = have;
      this.state.labelsTarget = target;
      const timedOut = Date.now() - started >= limitMs;
      await this.writeProgress(db, phaseProgress("labelling", target ? have / target : 1));
      if (have >= target || open === 0 || timedOut) {
        if (timedOut && have < target && open > 0) {
          if (mode === "mixed") {
            const n = await this.teacherSettles(await this.openPairIds());
            this.addNote(`time limit reached with ${have} of ${target} labels: the teacher labelled the ${n} pairs left`);
          } else this.addNote(`time limit reached with ${have} of ${target} labels: training on what there is`);
        }
        return this.closeLabelling();
      }
      const stop = this.shouldStop();
      if (stop) return stop;
      await new Promise((r) => setTimeout(r, LABEL_POLL_MS));
    }
  }

  private async openPairIds(): Promise<string[]> {
    const open = await this.db.pair.findMany({
      where: { ...roundPairsWhere(this.round), status: "open" },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    return open.map((p) => p.id);
  }

  /** The teacher labels these pairs and so settles them (closed, even when people could still add labels). Returns how many it labelled. */
  private async teacherSettles(pairIds: string[]): Promise<number> {
    if (pairIds.length === 0) return 0;
    const before = await this.db.label.count({ where: { pairId: { in: pairIds }, source: "synthetic" } });
    await labelMissingSynthetically(this.db, this.agent, pairIds);
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.pair.updateMany({
        where: { id: { in: pairIds }, status: "open", labels: { some: { source: "synthetic" } } },
        data: { status: "done" },
      });
      await addOpenPairs(tx, this.round.experimentId, -count);
    });
    return (await this.db.label.count({ where: { pairId: { in: pairIds }, source: "synthetic" } })) - before;
  }

  /** Pairs everyone skipped: retired and replaced by a new pair of the round's episodes (human), or labelled by the teacher (mixed). */
  private async replaceSkipped(mode: "human" | "mixed", labelsWanted: number): Promise<void> {
    const db = this.db;
    for (const skipped of await pairsEveryoneSkipped(db, this.round)) {
      if (mode === "mixed") {
        this.state.skippedToTeacher += await this.teacherSettles([skipped.id]);
        continue;
      }
      // Seeded by the skipped pair, so a resumed round draws the same replacement.
      const pick = await replacementPair(db, this.round, new Rng(`${this.config.seed}:replace:${this.round.index}:${skipped.id}`));
      const replaced = await db.$transaction(async (tx) => {
        const { count } = await tx.pair.updateMany({ where: { id: skipped.id, status: "open" }, data: { status: "retired" } });
        if (count === 0) return false;
        if (pick) {
          await tx.pair.create({
            data: { id: uuidv7(), experimentId: this.round.experimentId, ...pick, selection: REPLACEMENT_SELECTION, priority: skipped.priority, labelsWanted },
          });
        }
        await addOpenPairs(tx, this.round.experimentId, (pick ? 1 : 0) - count);
        return true;
      });
      if (replaced) this.state.replacedPairs += 1;
    }
  }

  /** The round stops taking labels: its open pairs leave the queue, and the moment is kept (later labels are late). */
  private async closeLabelling(): Promise<null> {
    this.state.labelsClosedAt = Date.now();
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.pair.updateMany({ where: { ...roundPairsWhere(this.round), status: "open" }, data: { status: "retired" } });
      await addOpenPairs(tx, this.round.experimentId, -count);
    });
    await this.writeProgress(this.db, phaseProgress("labelling", 1));
    return null;
  }

  /** Labels given on the previous round's pairs after it closed: this round trains on them; its note says how many. */
  private async countLateLabels(): Promise<void> {
    const previous = await this.db.trainingRound.findFirst({
      where: { experimentId: this.round.experimentId, index: this.round.index - 1 },
      select: { index: true, state: true },
    });
    const closedAt = parseRoundState(previous?.state ?? null)?.labelsClosedAt;
    if (!previous || !closedAt) return;
    this.state.lateFromRound = previous.index;
    this.state.lateLabels = await this.db.label.count({
      where: {
        pair: roundPairsWhere({ experimentId: this.round.experimentId, index: previous.index }),
        choice: { not: "skip" },
        createdAt: { gt: new Date(closedAt) },
      },
    });
  }

  /** Commits the round's result: reward-model steps, the summary, the final checkpoint, status done. */
  private async complete(result: RoundResult): Promise<RoundOutcome> {
    const db = this.db;
    this.episodesDone = result.episodesDone;
    const summary = summarizeRound(this.agent, this.round.index, result, await labelCounts(db, this.round));
    const checkpoint = await this.checkpointData("final");
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
