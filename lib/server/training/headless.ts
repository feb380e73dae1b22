// The trainer CLI against the database: an experiment in synthetic mode whose rounds run in this process
// through the same RoundRun as the web app's worker (claimed the same way, claim.ts), so trajectories, pairs, labels, checkpoints and
// metrics land in the database, and a killed run resumes from its last checkpoint.
import "server-only";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { Rng } from "../../rng";
import { OprlAgent } from "../../rl/agent";
import { initBackend } from "../../rl/backend";
import type { TrainConfig } from "../../rl/config";
import { evaluate, roundedSpearman, type RunSummary } from "../../rl/train";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { parseStoredConfig, storedConfigSchema } from "../experiments/config";
import { insertExperiment } from "../experiments/experiments";
import type { TrainingRound } from "../../../generated/sqlite/client";
import { applyCheckpoint } from "./checkpoint";
import { claimRound } from "./claim";
import { RoundRun } from "./round-runner";
import { roundSettingsSchema } from "../../contracts/experiment";

export interface HeadlessOptions {
  /** Episodes per round: the run's episodes are split into rounds of this size. */
  roundEpisodes: number;
  pairsPerRound: number;
}

/** Stores `config` as a new synthetic-mode experiment; returns its id. */
export async function createHeadlessExperiment(db: Db, name: string, config: TrainConfig, opts: HeadlessOptions): Promise<string> {
  const stored = storedConfigSchema.parse({
    ...config,
    episodes: opts.roundEpisodes,
    studio: roundSettingsSchema.parse({ pairsPerRound: opts.pairsPerRound, pairSelection: "random", labelTimeLimitSec: 60 }),
  });
  const exp = await insertExperiment(db, { name, config: stored, labellingMode: "synthetic", labelsPerPair: 1, status: "active" });
  return exp.id;
}

export interface HeadlessProgress {
  episodesDone: number;
  episodesTotal: number;
  round: number;
  phase: string;
}

export interface HeadlessSummary extends RunSummary {
  experiment_id: string;
  rounds: number;
  resumed_round: number | null;
  checkpoints: number;
}

const ACTIVE = ["queued", "running"] as const;
const CLAIM_POLL_MS = 1000;

/**
 * Claims the experiment's active round (claim.ts); while another live process runs it, waits (saying so)
 * until it finishes or goes stale. Null when it finished meanwhile or the run was aborted.
 */
async function claimActive(db: Db, roundId: string, workerId: string, log: (line: string) => void, signal?: AbortSignal): Promise<TrainingRound | null> {
  let told = false;
  for (;;) {
    const seen = await db.trainingRound.findUnique({ where: { id: roundId } });
    if (!seen || (seen.status !== "queued" && seen.status !== "running")) return null;
    const round = await claimRound(db, seen, { workerId });
    if (round) return round;
    if (!told) {
      log(`round ${seen.index} is running in ${seen.workerId ?? "another process"}; waiting until it finishes or its heartbeat goes stale`);
      told = true;
    }
    if (signal?.aborted) return null;
    await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
  }
}

/**
 * Runs rounds of `experimentId` until `totalEpisodes` episodes are done, first finishing a round that a
 * killed run left behind (RoundRun resumes it from its last mid-round checkpoint).
 */
export async function runHeadless(
  db: Db,
  experimentId: string,
  totalEpisodes: number,
  hooks: { onProgress?: (p: HeadlessProgress) => void; log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<HeadlessSummary> {
  const exp = await db.experiment.findUnique({ where: { id: experimentId } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const config = parseStoredConfig(exp.config);
  const workerId = `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = hooks.log ?? (() => {});
  const backend = await initBackend("auto", log);
  const started = performance.now();
  let resumedRound: number | null = null;
  let rounds = 0;

  const doneEpisodes = async () =>
    (await db.trainingRound.aggregate({ where: { experimentId, status: "done" }, _sum: { episodesDone: true } }))._sum.episodesDone ?? 0;

  for (;;) {
    if (hooks.signal?.aborted) break;
    const before = await doneEpisodes();
    let round: TrainingRound | null = null;
    const active = await db.trainingRound.findFirst({ where: { experimentId, status: { in: [...ACTIVE] } }, orderBy: { index: "asc" } });
    if (active) {
      // Left by a killed run (or queued from the web app): claim it like a worker does, so a live owner keeps it.
      round = await claimActive(db, active.id, workerId, log, hooks.signal);
      if (!round) break;
      resumedRound ??= round.index;
      log(`resuming round ${round.index}`);
    } else {
      if (before >= totalEpisodes) break;
      const last = await db.trainingRound.findFirst({ where: { experimentId }, orderBy: { index: "desc" } });
      const now = new Date();
      // Created running and owned by this process, so a web worker on the same database leaves it alone.
      round = await db.trainingRound.create({
        data: {
          experimentId,
          index: (last?.index ?? 0) + 1,
          episodesTotal: Math.min(config.episodes, totalEpisodes - before),
          status: "running",
          workerId,
          startedAt: now,
          heartbeatAt: now,
        },
      });
    }
    const current = round;
    const poll = setInterval(async () => {
      const r = await db.trainingRound.findUnique({ where: { id: current.id }, select: { episodesDone: true, status: true } }).catch(() => null);
      if (r) hooks.onProgress?.({ episodesDone: before + r.episodesDone, episodesTotal: totalEpisodes, round: current.index, phase: r.status });
    }, 300);
    let outcome;
    try {
      outcome = await new RoundRun(db, current, workerId, () => hooks.signal?.aborted ?? false, log).run();
    } finally {
      clearInterval(poll);
    }
    rounds++;
    if (outcome === "failed") {
      const failed = await db.trainingRound.findUnique({ where: { id: current.id }, select: { error: true } });
      throw new Error(`round ${current.index} failed: ${failed?.error ?? "unknown reason"}`);
    }
    if (outcome === "interrupted") throw new Error(`round ${current.index} was interrupted by a database fault: run --resume ${experimentId} once it clears`);
    if (outcome !== "done") break;
    hooks.onProgress?.({ episodesDone: await doneEpisodes(), episodesTotal: totalEpisodes, round: current.index, phase: "done" });
  }
  const trainSeconds = (performance.now() - started) / 1000;

  // The final policy, evaluated as the in-memory trainer does: epsilon 0, sampling, nothing stored.
  const checkpoint = await db.checkpoint.findFirst({ where: { experimentId }, orderBy: { createdAt: "desc" } });
  const agent = new OprlAgent(config, new Rng(`${config.seed}:eval`));
  let evalResult = { success: 0, meanLength: 0 };
  try {
    if (checkpoint) await applyCheckpoint(agent, checkpoint);
    evalResult = evaluate(agent, config.evalEpisodes);
  } finally {
    agent.dispose();
  }

  // Episode metrics carry the experiment-wide episode number, so order and "first success" are exact.
  const episodes = await db.metric.findMany({ where: { experimentId, kind: "episode" }, orderBy: { episode: "asc" }, select: { data: true } });
  const successes = episodes.map((m) => (JSON.parse(m.data) as { success: boolean }).success);
  const firstSuccess = successes.indexOf(true);
  const last100 = successes.slice(-100);
  const [steps, preferences, checkpoints, lastRound] = await Promise.all([
    db.trajectory.aggregate({ where: { experimentId }, _sum: { length: true } }),
    db.label.count({ where: { pair: { experimentId }, choice: { not: "skip" } } }),
    db.checkpoint.count({ where: { experimentId } }),
    db.metric.findFirst({ where: { experimentId, kind: "round" }, orderBy: { createdAt: "desc" }, select: { data: true } }),
  ]);
  return {
    experiment_id: experimentId,
    rounds,
    episodes: successes.length,
    resumed_round: resumedRound,
    train_seconds: Math.round(trainSeconds * 1000) / 1000,
    env_steps: steps._sum.length ?? 0,
    first_success_episode: firstSuccess >= 0 ? firstSuccess : null,
    train_success_last100: last100.length ? last100.filter(Boolean).length / last100.length : 0,
    eval_success: evalResult.success,
    eval_mean_len: Math.round(evalResult.meanLength * 100) / 100,
    preferences_used: preferences,
    reward_spearman: roundedSpearman(lastRound ? (JSON.parse(lastRound.data) as { spearman: number | null }).spearman : null),
    checkpoints,
    backend,
  };
}
