// The Metric rows a round writes: one per episode, one per reward-model step, one summary per round.
// Their JSON shapes are what the dashboards (experiments/dashboards.ts) and the headless summary read.
// Episodes are also summed per bucket of EPISODE_BUCKET episode numbers (EpisodeBucket), in the same
// transaction, so the dashboards never re-read every episode.
import "server-only";
import type { DbOrTx } from "../db/client";
import type { EpisodeStep } from "../../rl/episode";
import { round4, type RewardRow, type RoundSummary } from "../../rl/round";

export interface RoundRef {
  id: string;
  experimentId: string;
  index: number;
}

export function episodeMetric(round: RoundRef, step: EpisodeStep) {
  const t = step.trajectory;
  return {
    experimentId: round.experimentId,
    roundId: round.id,
    episode: step.episode,
    kind: "episode",
    data: JSON.stringify({
      round: round.index,
      return: t.return,
      length: t.length,
      success: t.success,
      epsilon: round4(step.epsilon),
      policyLoss: step.policy ? round4(step.policy.loss) : null,
      entropy: step.policy ? round4(step.policy.entropy) : null,
    }),
  };
}

/** Episode numbers per stored EpisodeBucket row (the dashboards aggregate in multiples of it). */
export const EPISODE_BUCKET = 10;

/** Stores episodes' Metric rows and adds them to their round's EpisodeBucket rows (call inside the transaction that stores the episodes). */
export async function writeEpisodeMetrics(tx: DbOrTx, round: RoundRef, steps: readonly EpisodeStep[]): Promise<void> {
  if (!steps.length) return;
  await tx.metric.createMany({ data: steps.map((s) => episodeMetric(round, s)) });
  const buckets = new Map<number, EpisodeStep[]>();
  for (const s of steps) {
    const b = Math.floor(s.episode / EPISODE_BUCKET);
    buckets.set(b, [...(buckets.get(b) ?? []), s]);
  }
  for (const [bucket, group] of buckets) {
    const key = { experimentId: round.experimentId, round: round.index, bucket };
    const returns = group.map((s) => s.trajectory.return);
    const losses = group.flatMap((s) => (s.policy ? [round4(s.policy.loss)] : []));
    const add = {
      episodes: group.length,
      returnSum: sum(returns),
      successes: group.filter((s) => s.trajectory.success).length,
      lengthSum: sum(group.map((s) => s.trajectory.length)),
      policyLossSum: sum(losses),
      policyLosses: losses.length,
      epsilonSum: sum(group.map((s) => round4(s.epsilon))),
    };
    const firstEpisode = Math.min(...group.map((s) => s.episode));
    // One writer per round (the claim), so read-then-write inside the transaction is safe.
    const old = await tx.episodeBucket.findUnique({ where: { experimentId_round_bucket: key } });
    if (!old) {
      await tx.episodeBucket.create({ data: { ...key, ...add, firstEpisode, returnMin: Math.min(...returns), returnMax: Math.max(...returns) } });
      continue;
    }
    await tx.episodeBucket.update({
      where: { experimentId_round_bucket: key },
      data: {
        firstEpisode: Math.min(old.firstEpisode, firstEpisode),
        returnMin: Math.min(old.returnMin, ...returns),
        returnMax: Math.max(old.returnMax, ...returns),
        ...Object.fromEntries(Object.entries(add).map(([k, v]) => [k, { increment: v }])),
      },
    });
  }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export function rewardUpdateMetrics(round: RoundRef, rows: readonly RewardRow[]) {
  return rows.map((r) => ({
    experimentId: round.experimentId,
    roundId: round.id,
    kind: "reward-update",
    data: JSON.stringify({ round: round.index, ...r }),
  }));
}

export function roundMetric(round: RoundRef, summary: RoundSummary) {
  return { experimentId: round.experimentId, roundId: round.id, kind: "round", data: JSON.stringify(summary) };
}
