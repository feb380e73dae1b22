import { z } from "zod";
import { TEACHER_KINDS, TEACHER_PRESETS, TIE_POLICIES, type TeacherSpec } from "../labelers";
import { DEFAULT_LAYOUT_TEXT } from "../maze/layout";

/**
 * Every number of a training run in one typed object. Presets fill it; the CLI, the API and the web forms
 * override single fields; the resolved object is stored with every run so a result can be reproduced.
 */

const epsilonSchedule = z.object({
  /** epsilon(ep) = max(end, start - ep / decayEpisodes): chance of a uniformly random action. */
  start: z.number().min(0).max(1),
  end: z.number().min(0).max(1),
  decayEpisodes: z.number().positive(),
});

export const SHAPING_MODES = ["additive", "potential", "advantage"] as const;
/** random / latest: the original's draws; disagreement: top ensemble variance among candidates; ends: runs that ended in different, seldom-labelled cells. */
export const PAIRINGS = ["random", "latest", "disagreement", "ends"] as const;
/** every: perQuery pairs every `every` episodes (front-loaded once a budget is set); spread: the budget evenly over `horizon` episodes; adaptive: as every, but only while some pair is uncertain. */
export const LABEL_SCHEDULES = ["every", "spread", "adaptive"] as const;
export const REWARD_MODEL_KINDS = ["mlp", "table"] as const;
export const POLICY_ALGORITHMS = ["seed", "a2c"] as const;

export const trainConfigSchema = z.object({
  preset: z.enum(["seed", "default"]),
  seed: z.number().int().min(0),
  episodes: z.number().int().min(1).max(100_000),
  evalEpisodes: z.number().int().min(0).max(10_000),
  env: z.object({
    /** Text grid: S start, G goal, # wall, . free. */
    layout: z.string().min(2),
    maxSteps: z.number().int().min(1).max(10_000),
    goalReward: z.number().positive(),
  }),
  policy: z.object({
    algorithm: z.enum(POLICY_ALGORITHMS),
    hidden: z.number().int().min(1).max(1024),
    learningRate: z.number().positive(),
    gamma: z.number().min(0).max(1),
    /** GAE lambda (a2c only). */
    gaeLambda: z.number().min(0).max(1),
    valueCoef: z.number().min(0),
    entropyCoef: z.number().min(0),
    clipNorm: z.number().positive(),
    /** Policy updates per episode, once `startAfter` episodes have passed and `minTrajectories` are stored. */
    updatesPerEpisode: z.number().int().min(0),
    startAfter: z.number().int().min(0),
    minTrajectories: z.number().int().min(1),
    /** seed: one random stored trajectory per update; a2c: the most recent `batchEpisodes` episodes. */
    batchEpisodes: z.number().int().min(1),
    /** a2c: standardise advantages over the batch (small batches of failures then reinforce half their actions). */
    normalizeAdvantages: z.boolean(),
    /** a2c: rewards are multiplied by this before returns and advantages (keeps critic targets near 1). */
    rewardScale: z.number().positive(),
    epsilon: epsilonSchedule,
    /** a2c: self-imitation of the shortest successes found so far (0 = off): keeps a found path from being forgotten. */
    selfImitation: z
      .object({
        coef: z.number().min(0),
        /** Successful runs replayed per update. */
        batch: z.number().int().min(1),
        /** How many of the shortest distinct successes are kept. */
        keep: z.number().int().min(1),
      })
      .default({ coef: 0, batch: 2, keep: 8 }),
  }),
  rewardModel: z.object({
    /** mlp: the original network (tanh output); table: a per-cell table fitted exactly with priors (lib/rl/reward-table.ts). */
    kind: z.enum(REWARD_MODEL_KINDS).default("mlp"),
    /** table: L2 prior, smoothness prior along seen transitions, ensemble members for pair selection. */
    table: z
      .object({ l2: z.number().positive(), smooth: z.number().min(0), members: z.number().int().min(1).max(32) })
      .default({ l2: 0.01, smooth: 1, members: 5 }),
    hidden: z.number().int().min(1).max(1024),
    learningRate: z.number().positive(),
    clipNorm: z.number().positive(),
    /** end: the reward of the cell a run ended in (table only). */
    score: z.enum(["sum", "mean", "end"]),
    batchSize: z.number().int().min(1),
    /** Updates every `every` episodes, after `startAfter` episodes, once `minPreferences` exist. */
    updates: z.number().int().min(0),
    every: z.number().int().min(1),
    startAfter: z.number().int().min(0),
    minPreferences: z.number().int().min(1),
  }),
  preferences: z.object({
    /** Queries every `every` episodes after `startAfter`: `perQuery` pairs each time. */
    every: z.number().int().min(1),
    startAfter: z.number().int().min(0),
    perQuery: z.number().int().min(0),
    /** random: two stored trajectories at random; latest: the newest episode against random stored ones. */
    pairing: z.enum(PAIRINGS),
    bufferSize: z.number().int().min(1),
    /** Total labels the teacher may give in the whole run (null = no limit); never exceeded. */
    budget: z.number().int().min(0).nullable().default(null),
    schedule: z.enum(LABEL_SCHEDULES).default("every"),
    /** spread: episodes (from startAfter) over which the budget is spread. */
    horizon: z.number().int().min(1).default(250),
    /** adaptive: ask only when some candidate pair's ensemble variance of P(left better) reaches this. */
    threshold: z.number().min(0).default(0.01),
    /** Candidate pairs drawn for disagreement / ends selection. */
    candidates: z.number().int().min(1).default(200),
    /** Ask the teacher even when shaping beta is 0 (the seed preset does, as the original; otherwise no labels are spent). */
    askWhenUnshaped: z.boolean().default(false),
  }),
  trajectoryBuffer: z.number().int().min(2),
  shaping: z.object({
    mode: z.enum(SHAPING_MODES),
    /** 0 = sparse reward only (the ablation). */
    beta: z.number().min(0),
    /** Rescale the learned reward into a potential in [-0.5, 0.5] (goal at the top) before shaping, so beta alone sets the strength. */
    normalize: z.boolean().default(false),
  }),
  teacher: z.object({
    kind: z.enum(TEACHER_KINDS),
    tiePolicy: z.enum(TIE_POLICIES),
    beta: z.number().positive().nullable(),
    gamma: z.number().min(0).max(1),
    epsMistake: z.number().min(0).max(1),
    epsSkip: z.number().min(0).max(1),
    epsEqual: z.number().min(0).max(1),
  }),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type PresetName = TrainConfig["preset"];

const teacher = (kind: TeacherSpec["kind"], tiePolicy: TeacherSpec["tiePolicy"]): TrainConfig["teacher"] => ({
  kind,
  tiePolicy,
  ...TEACHER_PRESETS[kind],
});

/** Faithful to the original tutorial in every number (see shared notes: the seed's schedule). */
const SEED: TrainConfig = {
  preset: "seed",
  seed: 0,
  episodes: 500,
  evalEpisodes: 100,
  env: { layout: DEFAULT_LAYOUT_TEXT, maxSteps: 60, goalReward: 10 },
  policy: {
    algorithm: "seed",
    hidden: 128,
    learningRate: 3e-4,
    gamma: 0.98,
    gaeLambda: 1,
    valueCoef: 0.5,
    entropyCoef: 0.01,
    clipNorm: 1,
    updatesPerEpisode: 2,
    startAfter: 11, // "if ep > 10"
    minTrajectories: 5,
    batchEpisodes: 1,
    normalizeAdvantages: false,
    rewardScale: 1,
    epsilon: { start: 0.5, end: 0.05, decayEpisodes: 1000 },
    selfImitation: { coef: 0, batch: 2, keep: 8 },
  },
  rewardModel: {
    kind: "mlp",
    table: { l2: 0.01, smooth: 1, members: 5 },
    hidden: 128,
    learningRate: 3e-4,
    clipNorm: 1,
    score: "sum",
    batchSize: 32,
    updates: 3,
    every: 2,
    startAfter: 21, // "if ep > 20 and ep % 2 == 0"
    minPreferences: 32,
  },
  preferences: {
    every: 2,
    startAfter: 11,
    perQuery: 1,
    pairing: "random",
    bufferSize: 500,
    budget: null,
    schedule: "every",
    horizon: 250,
    threshold: 0.01,
    candidates: 200,
    askWhenUnshaped: true,
  },
  trajectoryBuffer: 200,
  shaping: { mode: "additive", beta: 0.1, normalize: false },
  teacher: teacher("return", "equal"),
};

/** Our design: on-policy actor-critic with GAE, potential-based shaping from the learned reward, B-Pref oracle. */
const DEFAULT: TrainConfig = {
  ...SEED,
  preset: "default",
  policy: {
    ...SEED.policy,
    algorithm: "a2c",
    learningRate: 1e-3,
    gaeLambda: 0.95,
    updatesPerEpisode: 1,
    startAfter: 0,
    minTrajectories: 1,
    batchEpisodes: 4,
    normalizeAdvantages: false,
    rewardScale: 0.1,
    epsilon: { start: 0.3, end: 0.02, decayEpisodes: 1000 },
    // Shaped advantages are small next to 0.01 x entropy: at 0.01 the policy stayed uniform on 16x16 mazes.
    entropyCoef: 0.001,
    // Replaying the shortest successes keeps a found path (failed runs had found the goal, then lost it).
    selfImitation: { coef: 1, batch: 2, keep: 8 },
  },
  rewardModel: {
    ...SEED.rewardModel,
    // Per-cell table, fitted exactly on all labels; the score is where a run ended (its progress).
    kind: "table",
    table: { l2: 0.01, smooth: 1, members: 5 },
    learningRate: 1e-3,
    score: "end",
    batchSize: 64,
    updates: 1,
    every: 1,
    startAfter: 0,
    minPreferences: 1,
  },
  // 100 labels in the whole run, spread over the first 250 episodes, 2 pairs per query.
  preferences: {
    ...SEED.preferences,
    every: 1,
    startAfter: 1,
    perQuery: 2,
    pairing: "latest",
    bufferSize: 1000,
    budget: 100,
    schedule: "spread",
    horizon: 250,
    askWhenUnshaped: false,
  },
  // The potential is rescaled to [-0.5, 0.5], so beta alone sets the strength (1.5 x goal reward end to end).
  shaping: { mode: "potential", beta: 1.5, normalize: true },
  teacher: teacher("oracle", "shorter"),
};

export const PRESETS: Record<PresetName, TrainConfig> = { seed: SEED, default: DEFAULT };

export function presetConfig(name: PresetName): TrainConfig {
  return structuredClone(PRESETS[name]);
}

/** Changing the teacher kind brings that teacher's B-Pref parameters along. */
export function withTeacher(config: TrainConfig, kind: TeacherSpec["kind"]): TrainConfig {
  return { ...config, teacher: { ...config.teacher, kind, ...TEACHER_PRESETS[kind] } };
}
