// Training rounds as the web sees them: queue one, cancel one, read its progress. The worker runs them.
import "server-only";
import type { Db } from "../db/client";
import { withRetry } from "../db/errors";
import { AppError } from "../errors";
import { parseStoredConfig } from "../experiments/config";
import type { TrainingRound } from "../../../generated/sqlite/client";
import { labelEtaSeconds, parseRoundState, roundNotes, type RoundPhase } from "./round-state";

import type { RoundDto } from "../../contracts/round";
import { ACTIVE_ROUND_STATUSES } from "../../contracts/words";

export { ROUND_PHASES, roundStateSchema, type RoundPhase, type RoundState } from "./round-state";
export type { RoundDto };

/** A round as the web shows it: its phase, progress, labels and an estimate of the time left, from its row alone. */
export function roundDto(round: TrainingRound, now = Date.now()): RoundDto {
  const state = round.status === "queued" ? null : parseRoundState(round.state);
  const phase: RoundPhase = round.status === "queued" ? "queued" : round.status === "running" ? (state?.phase ?? "collecting") : "finished";
  let eta: number | null = null;
  if (round.status === "running" && state) {
    if (phase === "collecting" && state.collectStartedAt && round.episodesDone > state.collectStartEpisodes) {
      const perEpisode = (now - state.collectStartedAt) / (round.episodesDone - state.collectStartEpisodes);
      eta = ((round.episodesTotal - round.episodesDone) * perEpisode) / 1000 + 2;
    } else if (phase === "labelling") {
      // From the label rate seen so far, not the time limit (the limit is shown as one: labels.deadline).
      const labels = labelEtaSeconds(state, now);
      eta = labels === null ? null : labels + 2;
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
    note: state ? roundNotes(state) : null,
  };
}

export async function getRoundDto(db: Db, id: string): Promise<RoundDto> {
  const round = await db.trainingRound.findUnique({ where: { id } });
  if (!round) throw new AppError("NOT_FOUND", `round ${id} not found`);
  return roundDto(round);
}

export async function listRounds(db: Db, experimentId: string): Promise<RoundDto[]> {
  const exp = await db.experiment.findUnique({ where: { id: experimentId }, select: { id: true } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const rounds = await db.trainingRound.findMany({ where: { experimentId }, orderBy: { index: "desc" }, take: 100 });
  return rounds.map((r) => roundDto(r));
}

/** Queues the next round of an experiment; one queued or running round at a time per experiment. */
export async function enqueueRound(db: Db, experimentId: string, opts: { episodes?: number } = {}): Promise<RoundDto> {
  // Read-then-write: on SQLite it can meet the worker's commit (busy), so it is retried.
  const round = await withRetry(() =>
    db.$transaction(async (tx) => {
      const exp = await tx.experiment.findUnique({ where: { id: experimentId } });
      if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
      const active = await tx.trainingRound.findFirst({ where: { experimentId, status: { in: [...ACTIVE_ROUND_STATUSES] } } });
      if (active)
        throw new AppError("CONFLICT", `round ${active.index} is already ${active.status}; cancel it or wait for it to finish`, { roundId: active.id });
      const last = await tx.trainingRound.findFirst({ where: { experimentId }, orderBy: { index: "desc" } });
      const episodes = opts.episodes ?? parseStoredConfig(exp.config).episodes;
      return tx.trainingRound.create({ data: { experimentId, index: (last?.index ?? 0) + 1, episodesTotal: episodes } });
    }),
  );
  return roundDto(round);
}

/** Cancels a queued or running round; the worker sees it at its next heartbeat and stops, keeping what it committed. */
export async function cancelRound(db: Db, id: string): Promise<RoundDto> {
  const round = await db.trainingRound.findUnique({ where: { id } });
  if (!round) throw new AppError("NOT_FOUND", `round ${id} not found`);
  const { count } = await db.trainingRound.updateMany({
    where: { id, status: { in: [...ACTIVE_ROUND_STATUSES] } },
    data: { status: "cancelled", finishedAt: new Date(), error: "cancelled by a user" },
  });
  if (count === 0) throw new AppError("CONFLICT", `round ${round.index} is already ${round.status}`);
  return getRoundDto(db, id);
}
