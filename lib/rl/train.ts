import * as tf from "@tensorflow/tfjs";
import { Rng } from "../rng";
import { OprlAgent } from "./agent";
import { initBackend, type BackendChoice, type BackendName } from "./backend";
import type { TrainConfig } from "./config";
import { distancesToGoal } from "../maze/truth";
import { labelsDue } from "./schedule";
import { rewardSpearman } from "./stats";

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
}

export interface TrainSummary extends RunSummary {
  preset: string;
  seed: number;
  reward_updates: number;
  policy_updates: number;
  final_reward_accuracy: number | null;
  /** Spearman of the learned per-cell reward vs -distance to the goal (free reachable cells but the goal). */
  reward_spearman: number | null;
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

/**
 * The online OPRL loop with a synthetic teacher, one episode at a time:
 * collect -> (every k) query the teacher -> (every k) update the reward model -> update the policy.
 */
export async function train(config: TrainConfig, hooks: TrainHooks = {}): Promise<{ summary: TrainSummary; agent: OprlAgent }> {
  const backend = await initBackend(hooks.backend ?? "auto", hooks.log);
  const tensorsStart = tf.memory().numTensors;
  const agent = new OprlAgent(config, new Rng(config.seed));
  const { rewardModel: rm, preferences: pq, policy: pc } = config;
  const started = performance.now();
  let envSteps = 0;
  let firstSuccess: number | null = null;
  let preferencesUsed = 0;
  let rewardUpdates = 0;
  let policyUpdates = 0;
  let lastAccuracy: number | null = null;
  const successes: boolean[] = [];

  let episode = 0;
  for (; episode < config.episodes; episode++) {
    if (hooks.signal?.aborted) break;
    const epsilon = agent.epsilon(episode);
    const t = agent.collectEpisode(epsilon);
    envSteps += t.length;
    successes.push(t.success);
    if (t.success && firstSuccess === null) firstSuccess = episode;

    // No shaping, no use for labels: the teacher is not asked (unless the preset asks regardless, as the seed).
    if (config.shaping.beta > 0 || pq.askWhenUnshaped) {
      const due = labelsDue(pq, episode, preferencesUsed);
      if (due > 0) preferencesUsed += agent.queryTeacher(due);
    }

    let rewardLoss: number | null = null;
    let rewardAccuracy: number | null = null;
    let rewardMargin: number | null = null;
    if (episode >= rm.startAfter && episode % rm.every === 0) {
      const stats = agent.updateRewardModel(rm.updates);
      if (stats) {
        rewardLoss = stats.loss;
        rewardAccuracy = Number.isNaN(stats.accuracy) ? null : stats.accuracy;
        rewardMargin = Number.isNaN(stats.margin) ? null : stats.margin;
        lastAccuracy = rewardAccuracy ?? lastAccuracy;
        rewardUpdates += stats.updates;
      }
    }

    const policyStats = episode >= pc.startAfter ? agent.trainPolicy(pc.updatesPerEpisode) : null;
    policyUpdates += policyStats?.updates ?? 0;
    const policyLoss = policyStats?.loss ?? null;
    const entropy = policyStats?.entropy ?? null;

    hooks.onEpisode?.(
      { episode, return: t.return, length: t.length, success: t.success, epsilon, rewardLoss, rewardAccuracy, rewardMargin, policyLoss, entropy, preferences: agent.preferences.length },
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
      reward_spearman: rewardSpearmanOf(agent),
      tensors_start: tensorsStart,
      tensors_end: tf.memory().numTensors,
    },
  };
}

function rewardSpearmanOf(agent: OprlAgent): number | null {
  const rho = rewardSpearman(agent.rewardTable(), distancesToGoal(agent.layout), agent.layout.goal);
  return rho === null ? null : round(rho, 3);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
