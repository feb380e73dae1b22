import { z } from "zod";
import { TEACHER_KINDS, TEACHER_PRESETS, type TeacherSpec } from "../labelers";
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
  }),
  rewardModel: z.object({
    hidden: z.number().int().min(1).max(1024),
    learningRate: z.number().positive(),
    clipNorm: z.number().positive(),
    score: z.enum(["sum", "mean"]),
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
    pairing: z.enum(["random", "latest"]),
    bufferSize: z.number().int().min(1),
  }),
  trajectoryBuffer: z.number().int().min(2),
  shaping: z.object({
    mode: z.enum(SHAPING_MODES),
    /** 0 = sparse reward only (the ablation). */
    beta: z.number().min(0),
  }),
  teacher: z.object({
    kind: z.enum(TEACHER_KINDS),
    tiePolicy: z.enum(["equal", "drop", "shorter"]),
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
  },
  rewardModel: {
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
  preferences: { every: 2, startAfter: 11, perQuery: 1, pairing: "random", bufferSize: 500 },
  trajectoryBuffer: 200,
  shaping: { mode: "additive", beta: 0.1 },
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
  },
  rewardModel: {
    ...SEED.rewardModel,
    learningRate: 1e-3,
    score: "mean",
    batchSize: 64,
    updates: 2,
    every: 1,
    startAfter: 0,
    minPreferences: 16,
  },
  preferences: { every: 1, startAfter: 1, perQuery: 2, pairing: "latest", bufferSize: 1000 },
  shaping: { mode: "potential", beta: 0.5 },
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
