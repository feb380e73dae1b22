// Training rounds as the web sees them: queue one, cancel one, read its progress. The worker runs them.
import "server-only";
import { z } from "zod";
import { getDb, type DbOrTx } from "../db/client";
import { withRetry } from "../db/errors";
import { AppError } from "../errors";
import { parseStoredConfig } from "../experiments/config";
import type { TrainingRound } from "../../../generated/sqlite/client";

import { ROUND_PHASES, type RoundPhase } from "../../contracts/words";
import type { RoundDto } from "../../contracts/round";
export { ROUND_PHASES, type RoundPhase, type RoundDto };

/** Metric kind 'round-state': one row per round, the worker's live view of where it is. */
export const roundStateSchema = z.object({
  phase: z.enum(ROUND_PHASES),
  /** When the current collect phase started, and how many episodes were done then (a resumed round). */
  collectStartedAt: z.number().nullable().default(null),
  collectStartEpisodes: z.number().default(0),
  labelsHave: z.number().default(0),
  labelsTarget: z.number().default(0),
  /** Epoch ms when the round stops waiting for people. */
  labelDeadline: z.number().nullable().default(null),
  resumes: z.number().default(0),
  note: z.string().nullable().default(null),
});
export type RoundState = z.infer<typeof roundStateSchema>;
export const ROUND_STATE_KIND = "round-state";

const ACTIVE = ["queued", "running"] as const;

export async function readRoundState(db: DbOrTx, roundId: string): Promise<RoundState | null> {
  const row = await db.metric.findFirst({ where: { roundId, kind: ROUND_STATE_KIND }, orderBy: { createdAt: "desc" } });
  if (!row) return null;
  const parsed = roundStateSchema.safeParse(JSON.parse(row.data));
  return parsed.success ? parsed.data : null;
}

export async function roundDto(db: DbOrTx, round: TrainingRound, now = Date.now()): Promise<RoundDto> {
  const state = round.status === "queued" ? null : await readRoundState(db, round.id);
  const phase: RoundPhase = round.status === "queued" ? "queued" : round.status === "running" ? (state?.phase ?? "collecting") : "finished";
  let eta: number | null = null;
  if (round.status === "running" && state) {
    if (phase === "collecting" && state.collectStartedAt && round.episodesDone > state.collectStartEpisodes) {
      const perEpisode = (now - state.collectStartedAt) / (round.episodesDone - state.collectStartEpisodes);
      eta = ((round.episodesTotal - round.episodesDone) * perEpisode) / 1000 + 2;
    } else if (phase === "labelling" && state.labelDeadline) {
      eta = Math.max(0, (state.labelDeadline - now) / 1000) + 2;
    } else if (phase !== "collecting") {
      eta = 2;
    }
  }
  return {
    id: round.id,
    experimentId: round.experimentId,
    index: round.index,
    status: round.status,
    phase,
    progress: round.progress,
    episodesDone: round.episodesDone,
    episodesTotal: round.episodesTotal,
    labels: {
      have: state?.labelsHave ?? 0,
      target: state?.labelsTarget ?? 0,
      deadline: state?.labelDeadline ? new Date(state.labelDeadline).toISOString() : null,
    },
    etaSeconds: eta === null ? null : Math.round(eta),
    createdAt: round.createdAt.toISOString(),
    startedAt: round.startedAt?.toISOString() ?? null,
    finishedAt: round.finishedAt?.toISOString() ?? null,
    heartbeatAt: round.heartbeatAt?.toISOString() ?? null,
    error: round.error,
    note: state?.note ?? null,
  };
}

export async function getRoundDto(id: string): Promise<RoundDto> {
  const db = await getDb();
  const round = await db.trainingRound.findUnique({ where: { id } });
  if (!round) throw new AppError("NOT_FOUND", `round ${id} not found`);
  return roundDto(db, round);
}

export async function listRounds(experimentId: string): Promise<RoundDto[]> {
  const db = await getDb();
  const exp = await db.experiment.findUnique({ where: { id: experimentId }, select: { id: true } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const rounds = await db.trainingRound.findMany({ where: { experimentId }, orderBy: { index: "desc" }, take: 100 });
  return Promise.all(rounds.map((r) => roundDto(db, r)));
}

/** Queues the next round of an experiment; one queued or running round at a time per experiment. */
export async function enqueueRound(experimentId: string, opts: { episodes?: number } = {}): Promise<RoundDto> {
  const db = await getDb();
  // Read-then-write: on SQLite it can meet the worker's commit (busy), so it is retried.
  const round = await withRetry(() => db.$transaction(async (tx) => {
    const exp = await tx.experiment.findUnique({ where: { id: experimentId } });
    if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
    const active = await tx.trainingRound.findFirst({ where: { experimentId, status: { in: [...ACTIVE] } } });
    if (active) throw new AppError("CONFLICT", `round ${active.index} is already ${active.status}; cancel it or wait for it to finish`, { roundId: active.id });
    const last = await tx.trainingRound.findFirst({ where: { experimentId }, orderBy: { index: "desc" } });
    const episodes = opts.episodes ?? parseStoredConfig(exp.config).episodes;
    return tx.trainingRound.create({ data: { experimentId, index: (last?.index ?? 0) + 1, episodesTotal: episodes } });
  }));
  return roundDto(db, round);
}

/** Cancels a queued or running round; the worker sees it at its next heartbeat and stops, keeping what it committed. */
export async function cancelRound(id: string): Promise<RoundDto> {
  const db = await getDb();
  const round = await db.trainingRound.findUnique({ where: { id } });
  if (!round) throw new AppError("NOT_FOUND", `round ${id} not found`);
  const { count } = await db.trainingRound.updateMany({
    where: { id, status: { in: [...ACTIVE] } },
    data: { status: "cancelled", finishedAt: new Date(), error: "cancelled by a user" },
  });
  if (count === 0) throw new AppError("CONFLICT", `round ${round.index} is already ${round.status}`);
  return getRoundDto(id);
}
