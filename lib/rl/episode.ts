// One episode of the training loop, shared by every path that trains: the in-memory trainer (train.ts),
// its round schedule (train-rounds.ts) and the web app's round runner (lib/server/training). Collect with
// epsilon-greedy sampling, then (per-episode schedule only) query the teacher and update the reward model,
// then the online policy update. No storage, no schedule of rounds: callers decide what happens around it.
import type { OprlAgent } from "./agent";
import { labelsDue } from "./schedule";
import type { Trajectory } from "./trajectory";

export interface RewardStepStats {
  /** Mean Bradley-Terry loss of the updates; accuracy and margin of the last batch (null when undefined). */
  loss: number;
  accuracy: number | null;
  margin: number | null;
  /** Pairs accuracy and margin were measured on (decided ones the score can order). */
  pairs: number;
  updates: number;
}

export interface EpisodeStep {
  episode: number;
  epsilon: number;
  trajectory: Trajectory;
  /** Labels the per-episode schedule stored this episode (0 in the round schedule). */
  preferencesAdded: number;
  reward: RewardStepStats | null;
  policy: { loss: number; entropy: number; updates: number } | null;
}

/**
 * Label schedule strategy: what happens between collecting an episode and the policy update. The in-memory
 * trainer asks the teacher and updates the reward model here; rounds collect labels after the episodes.
 */
export type EpisodeFeedback = (agent: OprlAgent, episode: number, labelsUsed: number) => { preferencesAdded: number; reward: RewardStepStats | null };

/**
 * The per-episode schedule: teacher queries as the label plan says (lib/rl/schedule.ts: every k episodes, or a
 * budget spread or asked while uncertain; never over the budget), every `rewardModel.every` episodes an update.
 * Without shaping the labels would go unused, so the teacher is not asked (unless the preset asks regardless,
 * as the seed preset does, like the original).
 */
export const perEpisodeFeedback: EpisodeFeedback = (agent, episode, labelsUsed) => {
  const { preferences: pq, rewardModel: rm, shaping } = agent.config;
  const due = shaping.beta > 0 || pq.askWhenUnshaped ? labelsDue(pq, episode, labelsUsed) : 0;
  const preferencesAdded = due > 0 ? agent.queryTeacher(due) : 0;
  let reward: RewardStepStats | null = null;
  if (episode >= rm.startAfter && episode % rm.every === 0) {
    const stats = agent.updateRewardModel(rm.updates);
    if (stats) reward = toRewardStats(stats);
  }
  return { preferencesAdded, reward };
};

/** Rounds: no labels during the episodes. */
export const noFeedback: EpisodeFeedback = () => ({ preferencesAdded: 0, reward: null });

export function toRewardStats(s: { loss: number; accuracy: number; margin: number; pairs: number; updates: number }): RewardStepStats {
  return {
    pairs: s.pairs,
    loss: s.loss,
    accuracy: Number.isNaN(s.accuracy) ? null : s.accuracy,
    margin: Number.isNaN(s.margin) ? null : s.margin,
    updates: s.updates,
  };
}

/** Episode number `episode` of the run (it sets epsilon and whether the policy learns yet). */
export function stepEpisode(agent: OprlAgent, episode: number, feedback: EpisodeFeedback = noFeedback, labelsUsed = 0): EpisodeStep {
  const epsilon = agent.epsilon(episode);
  const trajectory = agent.collectEpisode(epsilon);
  const { preferencesAdded, reward } = feedback(agent, episode, labelsUsed);
  const pc = agent.config.policy;
  const policy = episode >= pc.startAfter ? agent.trainPolicy(pc.updatesPerEpisode) : null;
  return { episode, epsilon, trajectory, preferencesAdded, reward, policy };
}

export interface EvalResult {
  success: number;
  meanLength: number;
}

/** As the original evaluates: `episodes` fresh episodes, epsilon 0, actions sampled from the policy, nothing stored. */
export function evaluate(agent: OprlAgent, episodes: number): EvalResult {
  let wins = 0;
  let steps = 0;
  for (let i = 0; i < episodes; i++) {
    const t = agent.collectEpisode(0, false);
    wins += t.success ? 1 : 0;
    steps += t.length;
  }
  return { success: episodes ? wins / episodes : 0, meanLength: episodes ? steps / episodes : 0 };
}
