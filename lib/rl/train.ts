import * as tf from "@tensorflow/tfjs";
import { Rng } from "../rng";
import { OprlAgent } from "./agent";
import { initBackend, type BackendChoice, type BackendName } from "./backend";
import type { TrainConfig } from "./config";
import { evaluate, perEpisodeFeedback, stepEpisode } from "./episode";
import { rewardVsPotential } from "./reward-quality";

export { evaluate, type EvalResult } from "./episode";

export interface EpisodeMetrics {
  episode: number;
  return: number;
  length: number;
  success: boolean;
  epsilon: number;
  /** Mean Bradley-Terry loss of this episode's reward-model updates; null when none ran. */
  rewardLoss: number | null;
  rewardAccuracy: number | null;
  /** Mean score lead of the preferred trajectory (non-tied pairs of the last batch). */
  rewardMargin: number | null;
  policyLoss: number | null;
  entropy: number | null;
  preferences: number;
}

/** What every training run reports, in memory or through the database (the CLI's JSON line). */
export interface RunSummary {
  episodes: number;
  backend: BackendName;
  train_seconds: number;
  env_steps: number;
  first_success_episode: number | null;
  train_success_last100: number;
  eval_success: number;
  eval_mean_len: number;
  preferences_used: number;
  /** Spearman of the learned per-cell reward vs -distance to the goal (free reachable cells but the goal). */
  reward_spearman: number | null;
}

export interface TrainSummary extends RunSummary {
  preset: string;
  seed: number;
  reward_updates: number;
  policy_updates: number;
  /** Training accuracy of the last reward-model update, over the decided labels its score can order (see scoreCanOrder). */
  final_reward_accuracy: number | null;
  /** How many labels final_reward_accuracy was measured on. */
  final_reward_accuracy_pairs: number;
  tensors_start: number;
  tensors_end: number;
}

export interface TrainHooks {
  onEpisode?: (m: EpisodeMetrics, agent: OprlAgent) => void;
  /** Checked between episodes: a cancelled run stops early and still reports. */
  signal?: AbortSignal;
  backend?: BackendChoice;
  log?: (line: string) => void;
}

/**
 * The online OPRL loop with a synthetic teacher, one episode at a time (stepEpisode with the per-episode
 * label schedule): collect -> (every k) query the teacher -> (every k) update the reward model -> update
 * the policy. trainRounds (train-rounds.ts) runs the same episodes in the web app's round schedule.
 */
export async function train(config: TrainConfig, hooks: TrainHooks = {}): Promise<{ summary: TrainSummary; agent: OprlAgent }> {
  const backend = await initBackend(hooks.backend ?? "auto", hooks.log);
  const tensorsStart = tf.memory().numTensors;
  const agent = new OprlAgent(config, new Rng(config.seed));
  const started = performance.now();
  let envSteps = 0;
  let firstSuccess: number | null = null;
  let preferencesUsed = 0;
  let rewardUpdates = 0;
  let policyUpdates = 0;
  let lastAccuracy: number | null = null;
  let lastAccuracyPairs = 0;
  const successes: boolean[] = [];

  let episode = 0;
  for (; episode < config.episodes; episode++) {
    if (hooks.signal?.aborted) break;
    const step = stepEpisode(agent, episode, perEpisodeFeedback, preferencesUsed);
    const t = step.trajectory;
    envSteps += t.length;
    successes.push(t.success);
    if (t.success && firstSuccess === null) firstSuccess = episode;
    preferencesUsed += step.preferencesAdded;
    if (step.reward) {
      if (step.reward.accuracy !== null) {
        lastAccuracy = step.reward.accuracy;
        lastAccuracyPairs = step.reward.pairs;
      }
      rewardUpdates += step.reward.updates;
    }
    policyUpdates += step.policy?.updates ?? 0;

    hooks.onEpisode?.(
      {
        episode,
        return: t.return,
        length: t.length,
        success: t.success,
        epsilon: step.epsilon,
        rewardLoss: step.reward?.loss ?? null,
        rewardAccuracy: step.reward?.accuracy ?? null,
        rewardMargin: step.reward?.margin ?? null,
        policyLoss: step.policy?.loss ?? null,
        entropy: step.policy?.entropy ?? null,
        preferences: agent.preferences.length,
      },
      agent,
    );
    // Let timers, progress output and cancellation through now and then.
    if (episode % 25 === 24) await new Promise((r) => setImmediate(r));
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const evalResult = evaluate(agent, config.evalEpisodes);
  const last100 = successes.slice(-100);

  return {
    agent,
    summary: {
      preset: config.preset,
      seed: config.seed,
      episodes: episode,
      backend,
      train_seconds: round(trainSeconds, 3),
      env_steps: envSteps,
      first_success_episode: firstSuccess,
      train_success_last100: last100.length ? last100.filter(Boolean).length / last100.length : 0,
      eval_success: evalResult.success,
      eval_mean_len: round(evalResult.meanLength, 2),
      preferences_used: preferencesUsed,
      reward_updates: rewardUpdates,
      policy_updates: policyUpdates,
      final_reward_accuracy: lastAccuracy,
      final_reward_accuracy_pairs: lastAccuracyPairs,
      reward_spearman: roundedSpearman(rewardVsPotential(config.env.layout, agent.rewardTable())),
      tensors_start: tensorsStart,
      tensors_end: tf.memory().numTensors,
    },
  };
}

/** reward_spearman as every summary reports it: 3 decimals, null when undefined. */
export const roundedSpearman = (rho: number | null | undefined) => (rho === null || rho === undefined ? null : round(rho, 3));

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
