// One training round, as a sequence of named steps over an agent, with everything that is not learning
// (where episodes, pairs and labels live, when progress is written, how a round is stopped) behind RoundIo:
//   collecting (episodes, the policy learns online) -> selecting (pairs) -> labelling (labels, through the io)
//   -> reward-model (fit on every label so far) -> policy -> evaluating.
// The web app's round runner supplies a database io (lib/server/training); trainRounds (train-rounds.ts)
// an in-memory one with the synthetic teacher. Same agent, seed and schedule: same numbers.
// Strategies (pair selection, reward-model fit) are plain functions chosen by name, so new ones plug in
// here rather than as branches in the two callers.
import type { RoundSummary } from "../contracts/dashboard";
import type { OprlAgent } from "./agent";
import { choosePairs, ensembleTables, type CandidatePair } from "./ensemble";
import { evaluate, stepEpisode, type EpisodeStep, type EvalResult } from "./episode";
import type { Preference } from "./preferences";
import type { LabelPlan } from "./schedule";
import { rewardVsPotential, tableAccuracy } from "./reward-quality";
import type { RoundStep } from "../contracts/words";
import type { Trajectory } from "./trajectory";

export { ROUND_STEPS, type RoundStep } from "../contracts/words";
export type StopReason = "cancelled" | "stopped";

/** Evaluation episodes at the end of a round are capped: a round should end soon after its labels. */
export const ROUND_EVAL_EPISODES_MAX = 50;

export interface PoolEntry {
  id: string;
  trajectory: Trajectory;
}

export interface RoundLabels {
  train: Preference[];
  heldOut: Preference[];
}

export interface PlannedPair {
  left: PoolEntry;
  right: PoolEntry;
  priority: number;
}

export interface RoundSettings {
  pairsPerRound: number;
  /** Labels the whole run may use (the config's preferences.budget); null: no limit. Never exceeded; spread over rounds with the `spread` schedule. */
  labelBudget: number | null;
  /** Labels each pair gets (people in human mode may give several; the teacher gives one). */
  labelsPerPair: number;
  rewardUpdates: number;
  evalEpisodes: number;
}

export interface RoundPlan {
  index: number;
  /** Episodes of the run before this round (the epsilon schedule and policy start go by the run's episode). */
  baseEpisodes: number;
  episodesTotal: number;
  /** Episodes of this round already done (a resumed round); their trajectories are in `pool`. */
  episodesDone: number;
  pool: PoolEntry[];
  /** A round resumed after its pairs were chosen: those pairs (it goes on at labelling). */
  pairIds?: string[];
}

/** Where the round's data lives. Every method may persist; none may touch the agent's randomness except `labels`. */
export interface RoundIo {
  shouldStop(): StopReason | null;
  /** A step begins (the io records phase and progress). */
  enter(step: RoundStep): Promise<void>;
  /** Stores an episode, numbered `episodesDone` within the round; returns its id. */
  episode(step: EpisodeStep, episodesDone: number): Promise<string>;
  /** All of the round's episodes are stored. */
  collected(episodesDone: number): Promise<void>;
  /** Training preferences so far (for selection strategies that learn from them). */
  labelled(): Promise<Preference[]>;
  /** Decided labels of the run so far (skips do not count), against the label budget. */
  labelCount(): Promise<number>;
  /** Stores the chosen pairs; returns their ids, in order. */
  storePairs(pairs: PlannedPair[], selection: string): Promise<string[]>;
  /** Gets the pairs labelled (teacher, people), then every label of the run so far, split train / held out. */
  labels(pairIds: string[]): Promise<RoundLabels | StopReason>;
  note(text: string): void;
}

// --- strategies ---

export interface PairSelection {
  pairs: CandidatePair[];
  /** Stored with each pair: how it was chosen. */
  selection: string;
  note?: string;
}

export type PairSelector = (agent: OprlAgent, pool: readonly Trajectory[], count: number, labelled: () => Promise<Preference[]>) => Promise<PairSelection>;

export const randomPairs: PairSelector = async (agent, pool, count) => ({
  pairs: choosePairs(pool, count, agent.rng, null, agent.config.rewardModel.score),
  selection: "random",
});

/**
 * Where an ensemble of reward models, fit on the labels so far, disagrees most: the table model's own ensemble
 * (exact fits, lib/rl/reward-table.ts) or, for the network, a small ensemble of networks on the latest labels.
 */
export const disagreementPairs: PairSelector = async (agent, pool, count, labelled) => {
  const rm = agent.config.rewardModel;
  const train = await labelled();
  const tables =
    rm.kind === "table"
      ? agent.ensembleTablesFor(train)
      : ensembleTables(train.slice(-rm.batchSize * 8), agent.numCells, agent.rng, {
          members: 3,
          hidden: Math.min(rm.hidden, 64),
          learningRate: rm.learningRate,
          updates: 30,
          batchSize: rm.batchSize,
          score: rm.score,
          clipNorm: rm.clipNorm,
        });
  return {
    pairs: choosePairs(pool, count, agent.rng, tables, rm.score),
    selection: tables ? "disagreement" : "random",
    note: tables ? undefined : "too few labels for an ensemble yet: pairs chosen at random this round",
  };
};

export const PAIR_SELECTORS = { random: randomPairs, disagreement: disagreementPairs } satisfies Record<string, PairSelector>;

export interface RewardRow {
  step: number;
  loss: number;
  accuracy: number | null;
  margin: number | null;
}

export type RewardFitter = (
  agent: OprlAgent,
  train: readonly Preference[],
  updates: number,
  shouldStop: () => StopReason | null,
) => Promise<RewardRow[] | StopReason>;

/** The latest labels (up to the preference buffer) into the agent, then `updates` single Bradley-Terry steps. */
export const refitOnLatestLabels: RewardFitter = async (agent, train, updates, shouldStop) => {
  for (const p of train.slice(-agent.config.preferences.bufferSize)) agent.addPreference(p);
  const rows: RewardRow[] = [];
  for (let u = 0; u < updates; u++) {
    const s = agent.updateRewardModel(1);
    if (!s) break;
    rows.push({
      step: u,
      loss: round4(s.loss),
      accuracy: Number.isNaN(s.accuracy) ? null : round4(s.accuracy),
      margin: Number.isNaN(s.margin) ? null : round4(s.margin),
    });
    if (u % 10 === 9) {
      const stop = shouldStop();
      if (stop) return stop;
      await nextTick();
    }
  }
  return rows;
};

export interface RoundStrategies {
  selectPairs: PairSelector;
  fitRewardModel: RewardFitter;
}

/** The table model is fitted exactly on every label so far: one fit, whatever the number of updates asked. */
export const fitTableOnLabels: RewardFitter = (agent, train, _updates, shouldStop) => refitOnLatestLabels(agent, train, 1, shouldStop);

export function roundStrategies(pairSelection: keyof typeof PAIR_SELECTORS, rewardModel: "mlp" | "table"): RoundStrategies {
  return { selectPairs: PAIR_SELECTORS[pairSelection], fitRewardModel: rewardModel === "table" ? fitTableOnLabels : refitOnLatestLabels };
}

// --- the round ---

export interface RoundResult {
  episodesDone: number;
  /** This round's episodes (for a resumed round, those stored before the restart too). */
  episodes: Trajectory[];
  pairIds: string[];
  rewardRows: RewardRow[];
  trainPreferences: number;
  heldOut: Preference[];
  policyLoss: number | null;
  evaluation: EvalResult;
  /** The learned step reward of every cell, rounded to 4 decimals. */
  rewardTable: number[];
}

export async function runRound(
  agent: OprlAgent,
  plan: RoundPlan,
  settings: RoundSettings,
  strategies: RoundStrategies,
  io: RoundIo,
): Promise<RoundResult | StopReason> {
  const pool = plan.pool;
  let done = plan.episodesDone;
  let pairIds = plan.pairIds;
  if (!pairIds) {
    await io.enter("collecting");
    while (done < plan.episodesTotal) {
      const stop = io.shouldStop();
      if (stop) return stop;
      const step = stepEpisode(agent, plan.baseEpisodes + done);
      done++;
      pool.push({ id: await io.episode(step, done), trajectory: step.trajectory });
      // Let the heartbeat (and cancellation) through.
      await nextTick();
    }
    await io.collected(done);
    await io.enter("selecting");
    const count = await pairsAllowed(settings, io, agent.config.preferences, plan.baseEpisodes + plan.episodesTotal);
    const chosen = await strategies.selectPairs(
      agent,
      pool.map((p) => p.trajectory),
      count,
      io.labelled,
    );
    if (chosen.note) io.note(chosen.note);
    const planned = chosen.pairs.map((c) => ({ left: pool[c.left], right: pool[c.right], priority: c.priority }));
    pairIds = await io.storePairs(planned, chosen.selection);
  }

  await io.enter("labelling");
  const labels = await io.labels(pairIds);
  if (typeof labels === "string") return labels;

  await io.enter("reward-model");
  const rm = agent.config.rewardModel;
  const rewardRows = await strategies.fitRewardModel(agent, labels.train, settings.rewardUpdates, () => io.shouldStop());
  if (typeof rewardRows === "string") return rewardRows;
  if (!rewardRows.length && labels.train.length < rm.minPreferences) {
    io.note(`reward model not updated: ${labels.train.length} training labels, it needs ${rm.minPreferences}`);
  }

  await io.enter("policy");
  const policy = agent.trainPolicy(agent.config.policy.updatesPerEpisode);

  await io.enter("evaluating");
  const evaluation = evaluate(agent, Math.min(settings.evalEpisodes, ROUND_EVAL_EPISODES_MAX));
  return {
    episodesDone: done,
    episodes: pool.map((p) => p.trajectory),
    pairIds,
    rewardRows,
    trainPreferences: labels.train.length,
    heldOut: labels.heldOut,
    policyLoss: policy ? policy.loss : null,
    evaluation,
    rewardTable: Array.from(agent.rewardTable(), round4),
  };
}

/**
 * This round's pairs: as many as the settings ask, fewer once the label budget runs short (and it says so).
 * With the `spread` label schedule (the default preset's) a budget is spread over the first `horizon` episodes
 * as the in-memory loop spreads it: by the end of this round at most budget x episodes / horizon labels. Asked
 * all at once, 50 labels went in the first 5 rounds of 25 episodes (dead end: 8/10 seeds; spread: 10/10).
 */
async function pairsAllowed(settings: RoundSettings, io: RoundIo, plan: LabelPlan, episodesAfterRound: number): Promise<number> {
  const budget = settings.labelBudget;
  if (budget === null) return settings.pairsPerRound;
  const used = await io.labelCount();
  let left = Math.max(0, budget - used);
  let spread = false;
  if (plan.schedule === "spread") {
    const k = Math.max(0, episodesAfterRound - plan.startAfter);
    const due = Math.max(0, Math.min(budget, Math.ceil((budget * Math.min(k, plan.horizon)) / plan.horizon)) - used);
    if (due < left) [left, spread] = [due, true];
  }
  const count = Math.min(settings.pairsPerRound, Math.floor(left / Math.max(1, settings.labelsPerPair)));
  if (count < settings.pairsPerRound) {
    if (spread) io.note(`label budget of ${budget} spread over the first ${plan.horizon} episodes: ${count} pairs this round`);
    else io.note(count === 0 ? `label budget of ${budget} reached: no new pairs` : `label budget: ${count} pairs this round`);
  }
  return count;
}

/** What a finished round reports (stored as its 'round' metric, plotted by the dashboards). */
export type { RoundSummary };

export function summarizeRound(agent: OprlAgent, index: number, r: RoundResult, labels: RoundSummary["labels"]): RoundSummary {
  const last = r.rewardRows[r.rewardRows.length - 1];
  const heldOut = tableAccuracy(r.rewardTable, r.heldOut, agent.config.rewardModel.score);
  return {
    round: index,
    episodes: r.episodesDone,
    meanReturn: round4(mean(r.episodes.map((t) => t.return))),
    successRate: round4(mean(r.episodes.map((t) => (t.success ? 1 : 0)))),
    evalSuccess: r.evaluation.success,
    evalMeanLength: round4(r.evaluation.meanLength),
    rewardLoss: last ? last.loss : null,
    rewardAccuracy: last ? last.accuracy : null,
    heldOutAccuracy: heldOut.accuracy === null ? null : round4(heldOut.accuracy),
    heldOutPairs: heldOut.pairs,
    trainPreferences: r.trainPreferences,
    policyLoss: r.policyLoss === null ? null : round4(r.policyLoss),
    spearman: rewardVsPotential(agent.config.env.layout, r.rewardTable),
    pairs: r.pairIds.length,
    labels,
    rewardTable: r.rewardTable,
  };
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
export const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
