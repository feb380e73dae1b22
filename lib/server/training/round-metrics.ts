// The Metric rows a round writes: one per episode, one per reward-model step, one summary per round.
// Their JSON shapes are what the dashboards (experiments/dashboards.ts) and the headless summary read.
import "server-only";
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
