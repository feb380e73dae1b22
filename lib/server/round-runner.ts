// One training round, run by the worker (never inside a request):
// restore -> collect episodes (policy learns online) -> choose pairs -> labels (teacher now, or wait for
// people until the label target or time limit) -> update the reward model -> update the policy -> evaluate
// -> checkpoint and metrics. Every flush commits trajectories, metrics and a mid-round checkpoint together,
// so a killed worker resumes from the last flush and loses nothing it committed.
import { randomUUID } from "node:crypto";
import { choiceToLabel, type Choice } from "../labelers";
import { parseLayout } from "../maze/layout";
import { truePotential } from "../maze/truth";
import { Rng } from "../rng";
import { OprlAgent } from "../rl/agent";
import { initBackend } from "../rl/backend";
import type { Preference, ScoreMode } from "../rl/preferences";
import { evaluate } from "../rl/train";
import type { Trajectory } from "../rl/trajectory";
import { decodeCells, decodeFloat32, encodeFloat32, encodeSteps } from "./codec";
import type { Db, DbOrTx } from "./db";
import { choosePairs, ensembleTables, scoreWithTable } from "./ensemble";
import { parseStoredConfig, type StoredConfig } from "./experiment-config";
import { readRoundState, ROUND_STATE_KIND, type RoundPhase, type RoundState } from "./rounds";
import { isHeldOut, spearman } from "./stats";
import { isAppError } from "./errors";
import { recordLabel } from "./queue";
import type { TrainingRound } from "../../generated/sqlite/client";

const FLUSH_EVERY_EPISODES = 25;
const FLUSH_EVERY_MS = 1000;
const HEARTBEAT_MS = 2000;
const LABEL_POLL_MS = 1000;
const MAX_RESUMES = 3;
const EVAL_EPISODES_MAX = 50;

export interface CheckpointMeta {
  phase: "collect" | "labels" | "final";
  roundIndex: number;
  /** Episodes of the experiment before this round (for the epsilon schedule). */
  baseEpisodes: number;
  /** Episodes of this round done when the checkpoint was taken. */
  episodesDone: number;
  policySizes: number[];
  rewardSizes: number[];
  pairIds?: string[];
}

export interface RoundSummary {
  round: number;
  episodes: number;
  meanReturn: number;
  successRate: number;
  evalSuccess: number;
  evalMeanLength: number;
  rewardLoss: number | null;
  rewardAccuracy: number | null;
  heldOutAccuracy: number | null;
  heldOutPairs: number;
  trainPreferences: number;
  policyLoss: number | null;
  spearman: number | null;
  pairs: number;
  labels: { human: number; synthetic: number };
  rewardTable: number[];
}

export type RoundOutcome = "done" | "cancelled" | "stopped" | "failed";

interface EpisodeRow {
  id: string;
  t: Trajectory;
  episode: number;
  epsilon: number;
  policyLoss: number | null;
  entropy: number | null;
}

const flat = (arrays: Float32Array[]) => {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
};
const split = (values: Float32Array, sizes: number[]) => {
  let o = 0;
  return sizes.map((n) => values.subarray(o, (o += n)));
};

export function toTrajectory(row: { cells: Uint8Array; actions: Uint8Array; rewards: Uint8Array; return: number; length: number; success: boolean }): Trajectory {
  return {
    cells: Int32Array.from(decodeCells(row.cells)),
    actions: Uint8Array.from(row.actions),
    rewards: decodeFloat32(row.rewards),
    return: row.return,
    length: row.length,
    success: row.success,
  };
}

const labelValue = (choice: string) => choiceToLabel(choice as Choice);

/** Every non-skip label on the experiment's pairs, split into training preferences and held-out ones. */
export async function loadPreferences(db: DbOrTx, experimentId: string, heldOutShare: number) {
  const pairs = await db.pair.findMany({
    where: { experimentId, labels: { some: { choice: { not: "skip" } } } },
    include: { left: true, right: true, labels: { select: { choice: true } } },
  });
  const train: Preference[] = [];
  const heldOut: Preference[] = [];
  for (const p of pairs) {
    const left = toTrajectory(p.left);
    const right = toTrajectory(p.right);
    for (const l of p.labels) {
      const label = labelValue(l.choice);
      if (label === null) continue;
      (isHeldOut(p.id, heldOutShare) ? heldOut : train).push({ left, right, label });
    }
  }
  return { train, heldOut };
}

/** Share of decided held-out preferences whose preferred side scores higher under `table`. */
export function tableAccuracy(table: ArrayLike<number>, prefs: readonly Preference[], mode: ScoreMode): number | null {
  let decided = 0;
  let correct = 0;
  for (const p of prefs) {
    if (p.label === 0.5) continue;
    decided++;
    const z = scoreWithTable(table, p.left, mode) - scoreWithTable(table, p.right, mode);
    if ((p.label > 0.5 ? z : -z) > 0) correct++;
  }
  return decided ? correct / decided : null;
}

/** Rank correlation of the learned reward with the true potential -distance, over free cells except the goal. */
export function rewardVsPotential(layoutText: string, table: ArrayLike<number>): number | null {
  const layout = parseLayout(layoutText);
  const phi = truePotential(layout);
  const x: number[] = [];
  const y: number[] = [];
  for (let c = 0; c < phi.length; c++) {
    if (Number.isNaN(phi[c]) || c === layout.goal) continue;
    x.push(table[c]);
    y.push(phi[c]);
  }
  return spearman(x, y);
}

/** Loads a checkpoint's weights into an agent; returns its meta. */
export function applyCheckpoint(agent: OprlAgent, cp: { meta: string; policyWeights: Uint8Array; rewardWeights: Uint8Array }): CheckpointMeta {
  const meta = JSON.parse(cp.meta) as CheckpointMeta;
  agent.policy.setWeights(split(decodeFloat32(cp.policyWeights), meta.policySizes));
  agent.rewardModel.setWeights(split(decodeFloat32(cp.rewardWeights), meta.rewardSizes));
  return meta;
}

export class RoundRun {
  private cancelled = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private state!: RoundState;
  private agent!: OprlAgent;
  private rng!: Rng;
  private config!: StoredConfig;
  private readonly pool: EpisodeRow[] = [];
  private pending: EpisodeRow[] = [];
  private episodesDone = 0;
  private baseEpisodes = 0;

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

  private shouldStop(): "cancelled" | "stopped" | null {
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
    this.rng = new Rng(`${this.config.seed}:round:${this.round.index}:${resumes}`);
    this.agent = new OprlAgent(this.config, this.rng);
    try {
      return await this.phases();
    } finally {
      this.agent.dispose();
    }
  }

  private async phases(): Promise<RoundOutcome> {
    const db = this.db;
    const mid = await db.checkpoint.findFirst({ where: { roundId: this.round.id }, orderBy: { createdAt: "desc" } });
    const base = mid
      ? null
      : await db.checkpoint.findFirst({ where: { experimentId: this.round.experimentId }, orderBy: { createdAt: "desc" } });
    const cp = mid ?? base;
    const meta = cp ? applyCheckpoint(this.agent, cp) : null;
    this.baseEpisodes = mid ? meta!.baseEpisodes : (meta?.baseEpisodes ?? 0) + (meta?.episodesDone ?? 0);
    this.episodesDone = mid ? meta!.episodesDone : 0;

    // Episodes this round already committed (a resumed round) are candidates for its pairs too.
    if (mid) {
      const stored = await db.trajectory.findMany({ where: { experimentId: this.round.experimentId, round: this.round.index }, orderBy: { createdAt: "asc" } });
      for (const row of stored) this.pool.push({ id: row.id, t: toTrajectory(row), episode: -1, epsilon: 0, policyLoss: null, entropy: null });
    }

    let pairIds: string[];
    if (!mid || meta!.phase === "collect") {
      const stop = await this.collect();
      if (stop) return this.finish(stop);
      this.setPhase("selecting", 0.86);
      pairIds = await this.selectPairs();
    } else {
      pairIds = meta!.pairIds ?? [];
    }

    const stop = await this.waitForLabels(pairIds);
    if (stop) return this.finish(stop);
    return this.learnAndFinish(pairIds);
  }

  /** Notes accumulate ("resumed ...; time limit reached ..."): a later one must not hide an earlier one. */
  private addNote(text: string) {
    this.state.note = this.state.note ? `${this.state.note}; ${text}` : text;
  }

  private setPhase(phase: RoundPhase, progress?: number) {
    this.state.phase = phase;
    if (progress !== undefined) this.round = { ...this.round, progress };
  }

  // --- collect: episodes with the current policy, which learns online from the shaped reward ---
  private async collect(): Promise<"cancelled" | "stopped" | null> {
    const total = this.round.episodesTotal;
    const pc = this.config.policy;
    this.state.collectStartedAt = Date.now();
    this.state.collectStartEpisodes = this.episodesDone;
    await this.flush();
    let lastFlush = Date.now();
    while (this.episodesDone < total) {
      const stop = this.shouldStop();
      if (stop) return stop;
      const episode = this.baseEpisodes + this.episodesDone;
      const epsilon = this.agent.epsilon(episode);
      const t = this.agent.collectEpisode(epsilon);
      const policyStats = episode >= pc.startAfter ? this.agent.trainPolicy(pc.updatesPerEpisode) : null;
      const policyLoss = policyStats?.loss ?? null;
      const entropy = policyStats?.entropy ?? null;
      const row: EpisodeRow = { id: randomUUID(), t, episode, epsilon, policyLoss, entropy };
      this.pending.push(row);
      this.pool.push(row);
      this.episodesDone++;
      if (this.pending.length >= FLUSH_EVERY_EPISODES || Date.now() - lastFlush >= FLUSH_EVERY_MS) {
        await this.flush();
        lastFlush = Date.now();
      }
      // Let the heartbeat (and cancellation) through.
      await new Promise((r) => setImmediate(r));
    }
    await this.flush();
    return null;
  }

  private checkpointData(phase: CheckpointMeta["phase"], extra: Partial<CheckpointMeta> = {}) {
    const policy = this.agent.policy.getWeights();
    const reward = this.agent.rewardModel.getWeights();
    const meta: CheckpointMeta = {
      phase,
      roundIndex: this.round.index,
      baseEpisodes: this.baseEpisodes,
      episodesDone: this.episodesDone,
      policySizes: policy.map((w) => w.length),
      rewardSizes: reward.map((w) => w.length),
      ...extra,
    };
    return {
      experimentId: this.round.experimentId,
      roundId: this.round.id,
      policyWeights: encodeFloat32(flat(policy)),
      rewardWeights: encodeFloat32(flat(reward)),
      meta: JSON.stringify(meta),
    };
  }

  /** Commits pending episodes, their metrics, progress and a mid-round checkpoint in one transaction. */
  private async flush(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    const progress = 0.85 * (this.episodesDone / Math.max(1, this.round.episodesTotal));
    const checkpoint = this.checkpointData("collect");
    await this.db.$transaction(async (tx) => {
      if (rows.length) {
        await tx.trajectory.createMany({
          data: rows.map((r) => {
            const enc = encodeSteps({ actions: Array.from(r.t.actions), cells: Array.from(r.t.cells), rewards: Array.from(r.t.rewards) });
            return {
              id: r.id,
              experimentId: this.round.experimentId,
              round: this.round.index,
              policyVersion: this.round.index,
              actions: enc.actions,
              cells: enc.cells,
              rewards: enc.rewards,
              return: r.t.return,
              length: r.t.length,
              success: r.t.success,
            };
          }),
        });
        await tx.metric.createMany({
          data: rows.map((r) => ({
            experimentId: this.round.experimentId,
            roundId: this.round.id,
            episode: r.episode,
            kind: "episode",
            data: JSON.stringify({
              round: this.round.index,
              return: r.t.return,
              length: r.t.length,
              success: r.t.success,
              epsilon: round4(r.epsilon),
              policyLoss: r.policyLoss === null ? null : round4(r.policyLoss),
              entropy: r.entropy === null ? null : round4(r.entropy),
            }),
          })),
        });
      }
      await tx.checkpoint.deleteMany({ where: { roundId: this.round.id } });
      await tx.checkpoint.create({ data: checkpoint });
      await this.writeProgress(tx, progress);
    });
  }

  private async writeProgress(tx: DbOrTx, progress: number): Promise<void> {
    this.round = { ...this.round, progress };
    await tx.trainingRound.updateMany({
      where: { id: this.round.id, status: "running" },
      data: { progress, episodesDone: this.episodesDone, heartbeatAt: new Date() },
    });
    await writeRoundState(tx, this.round, this.state);
  }

  // --- choose pairs among this round's episodes; the teacher labels them unless people do ---
  private async selectPairs(): Promise<string[]> {
    const db = this.db;
    const { studio, rewardModel: rm } = this.config;
    const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
    const trajectories = this.pool.map((r) => r.t);
    let tables: Float32Array[] | null = null;
    let selection: string = "random";
    if (studio.pairSelection === "disagreement") {
      const { train } = await loadPreferences(db, this.round.experimentId, studio.heldOutShare);
      tables = ensembleTables(train.slice(-rm.batchSize * 8), this.agent.numCells, this.rng, {
        members: 3,
        hidden: Math.min(rm.hidden, 64),
        learningRate: rm.learningRate,
        updates: 30,
        batchSize: rm.batchSize,
        score: rm.score,
        clipNorm: rm.clipNorm,
      });
      selection = tables ? "disagreement" : "random";
      if (!tables) this.addNote("too few labels for an ensemble yet: pairs chosen at random this round");
    }
    const chosen = choosePairs(trajectories, studio.pairsPerRound, this.rng, tables, rm.score);
    // Slots per pair (the queue's k): the teacher takes one in synthetic and mixed mode, people the rest.
    const labelsWanted = exp.labellingMode === "synthetic" ? 1 : exp.labellingMode === "mixed" ? exp.labelsPerPair + 1 : exp.labelsPerPair;
    const pairs = chosen.map((c) => ({
      id: randomUUID(),
      experimentId: this.round.experimentId,
      leftId: this.pool[c.left].id,
      rightId: this.pool[c.right].id,
      selection,
      priority: c.priority,
      labelsWanted,
    }));
    const pairIds = pairs.map((p) => p.id);
    const checkpoint = this.checkpointData("labels", { pairIds });
    this.setPhase("labelling", 0.86);
    await db.$transaction(async (tx) => {
      await tx.pair.createMany({ data: pairs });
      await tx.checkpoint.deleteMany({ where: { roundId: this.round.id } });
      await tx.checkpoint.create({ data: checkpoint });
      await this.writeProgress(tx, 0.86);
    });
    return pairIds;
  }

  /** Human mode: wait until the round's pairs have their labels or the time limit passes (mode changes are honoured). */
  private async waitForLabels(pairIds: string[]): Promise<"cancelled" | "stopped" | null> {
    const db = this.db;
    const limitMs = this.config.studio.labelTimeLimitSec * 1000;
    this.setPhase("labelling");
    const started = Date.now();
    for (;;) {
      const exp = await db.experiment.findUniqueOrThrow({ where: { id: this.round.experimentId } });
      const target = pairIds.length * exp.labelsPerPair;
      if (exp.labellingMode !== "human") {
        await this.labelMissingSynthetically(pairIds);
        this.state.labelsTarget = pairIds.length;
        this.state.labelsHave = await db.label.count({ where: { pairId: { in: pairIds }, choice: { not: "skip" } } });
        return null;
      }
      const have = await db.label.count({ where: { pairId: { in: pairIds }, source: "human", choice: { not: "skip" } } });
      this.state.labelsHave = have;
      this.state.labelsTarget = target;
      this.state.labelDeadline = started + limitMs;
      const done = have >= target || Date.now() - started >= limitMs;
      await this.writeProgress(db, 0.86 + 0.09 * Math.min(1, target ? have / target : 1));
      if (done) {
        if (have < target) this.addNote(`time limit reached with ${have} of ${target} labels: training on what there is`);
        return null;
      }
      const stop = this.shouldStop();
      if (stop) return stop;
      await new Promise((r) => setTimeout(r, LABEL_POLL_MS));
    }
  }

  /** The teacher labels the round's open pairs it has not labelled yet (through the queue, which gives it a slot). */
  private async labelMissingSynthetically(pairIds: string[]): Promise<void> {
    const db = this.db;
    const pairs = await db.pair.findMany({
      where: { id: { in: pairIds }, status: "open", labels: { none: { source: "synthetic" } } },
      include: { left: true, right: true },
    });
    for (const p of pairs) {
      const choice = this.agent.teacher.judge(toTrajectory(p.left), toTrajectory(p.right), this.rng);
      try {
        await recordLabel(db, { labelId: randomUUID(), pairId: p.id, experimentId: p.experimentId, source: "synthetic", teacher: this.config.teacher.kind, choice });
      } catch (err) {
        // People hold every slot of this pair, or finished it meanwhile: their labels stand.
        if (isAppError(err, "CONFLICT") || isAppError(err, "PAIR_CLOSED")) continue;
        throw err;
      }
    }
  }

  // --- reward model on every training label so far, then the policy, then evaluation and the checkpoint ---
  private async learnAndFinish(pairIds: string[]): Promise<RoundOutcome> {
    const db = this.db;
    const { studio, rewardModel: rm } = this.config;
    this.setPhase("reward-model");
    await this.writeProgress(db, 0.95);
    const { train, heldOut } = await loadPreferences(db, this.round.experimentId, studio.heldOutShare);
    for (const p of train.slice(-this.config.preferences.bufferSize)) this.agent.addPreference(p);
    const rewardRows: { step: number; loss: number; accuracy: number | null; margin: number | null }[] = [];
    for (let u = 0; u < studio.rewardUpdates; u++) {
      const s = this.agent.updateRewardModel(1);
      if (!s) break;
      rewardRows.push({
        step: u,
        loss: round4(s.loss),
        accuracy: Number.isNaN(s.accuracy) ? null : round4(s.accuracy),
        margin: Number.isNaN(s.margin) ? null : round4(s.margin),
      });
      if (u % 10 === 9) {
        const stop = this.shouldStop();
        if (stop) return this.finish(stop);
        await new Promise((r) => setImmediate(r));
      }
    }
    if (!rewardRows.length && train.length < rm.minPreferences) {
      this.addNote(`reward model not updated: ${train.length} training labels, it needs ${rm.minPreferences}`);
    }

    this.setPhase("policy");
    await this.writeProgress(db, 0.97);
    let policyLoss: number | null = null;
    let n = 0;
    for (let u = 0; u < this.config.policy.updatesPerEpisode; u++) {
      const s = this.agent.updatePolicy();
      if (!s) break;
      policyLoss = (policyLoss ?? 0) + s.loss;
      n++;
    }
    if (n) policyLoss = policyLoss! / n;

    this.setPhase("evaluating");
    await this.writeProgress(db, 0.98);
    const evalResult = evaluate(this.agent, Math.min(this.config.evalEpisodes, EVAL_EPISODES_MAX));
    const table = Array.from(this.agent.rewardTable(), round4);
    const roundEpisodes = this.pool.map((r) => r.t);
    const labelCounts = await db.label.groupBy({ by: ["source"], where: { pairId: { in: pairIds } }, _count: { _all: true } });
    const last = rewardRows[rewardRows.length - 1];
    const summary: RoundSummary = {
      round: this.round.index,
      episodes: this.episodesDone,
      meanReturn: round4(mean(roundEpisodes.map((t) => t.return))),
      successRate: round4(mean(roundEpisodes.map((t) => (t.success ? 1 : 0)))),
      evalSuccess: evalResult.success,
      evalMeanLength: round4(evalResult.meanLength),
      rewardLoss: last ? last.loss : null,
      rewardAccuracy: last ? last.accuracy : null,
      heldOutAccuracy: tableAccuracy(table, heldOut, rm.score),
      heldOutPairs: heldOut.length,
      trainPreferences: train.length,
      policyLoss: policyLoss === null ? null : round4(policyLoss),
      spearman: rewardVsPotential(this.config.env.layout, table),
      pairs: pairIds.length,
      labels: {
        human: labelCounts.find((c) => c.source === "human")?._count._all ?? 0,
        synthetic: labelCounts.find((c) => c.source === "synthetic")?._count._all ?? 0,
      },
      rewardTable: table,
    };
    const checkpoint = this.checkpointData("final");
    this.setPhase("finished");
    await db.$transaction(async (tx) => {
      if (rewardRows.length) {
        await tx.metric.createMany({
          data: rewardRows.map((r) => ({
            experimentId: this.round.experimentId,
            roundId: this.round.id,
            kind: "reward-update",
            data: JSON.stringify({ round: this.round.index, ...r }),
          })),
        });
      }
      await tx.metric.create({
        data: { experimentId: this.round.experimentId, roundId: this.round.id, kind: "round", data: JSON.stringify(summary) },
      });
      await tx.checkpoint.deleteMany({ where: { roundId: this.round.id } });
      await tx.checkpoint.create({ data: checkpoint });
      await tx.trainingRound.updateMany({
        where: { id: this.round.id, status: "running" },
        data: { status: "done", progress: 1, episodesDone: this.episodesDone, finishedAt: new Date(), heartbeatAt: new Date() },
      });
      await writeRoundState(tx, this.round, this.state);
    });
    this.log(
      `round ${this.round.index} of ${this.round.experimentId} done: success ${summary.successRate}, eval ${summary.evalSuccess}, spearman ${summary.spearman}`,
    );
    return "done";
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
    if (this.state) await writeRoundState(db, this.round, this.state).catch(() => {});
    return outcome;
  }
}

export async function writeRoundState(db: DbOrTx, round: Pick<TrainingRound, "id" | "experimentId">, state: RoundState): Promise<void> {
  const data = JSON.stringify(state);
  const { count } = await db.metric.updateMany({ where: { roundId: round.id, kind: ROUND_STATE_KIND }, data: { data } });
  if (count === 0) await db.metric.create({ data: { experimentId: round.experimentId, roundId: round.id, kind: ROUND_STATE_KIND, data } });
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
