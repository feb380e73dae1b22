// The experiment form and API share these schemas: the browser shows the same field errors the server returns.
import { z } from "zod";
import { TEACHER_KINDS } from "../labelers";
import { LayoutError, MAX_SIDE, parseLayout } from "../maze/layout";
import { SHAPING_MODES } from "../rl/config";
import { idSchema, isoDate } from "./ids";
import { roundSchema } from "./round";
import { EXPERIMENT_STATUSES, LABELLING_MODES, PAIR_SELECTIONS } from "./words";

export { idSchema } from "./ids";
export { startRoundSchema, type StartRoundInput } from "./round";
export { EXPERIMENT_STATUSES, LABELLING_MODES, PAIR_SELECTIONS, type LabellingMode, type PairSelection } from "./words";

const mazeTextSchema = z
  .object({
    kind: z.literal("text"),
    text: z.string().max(MAX_SIDE * (MAX_SIDE + 2), "maze text is too long"),
  })
  .superRefine((maze, ctx) => {
    try {
      parseLayout(maze.text);
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      ctx.addIssue({ code: "custom", path: ["text"], message: err.message });
    }
  });

const mazeRandomSchema = z.object({
  kind: z.literal("random"),
  rows: z.number().int("rows must be a whole number").min(2, "at least 2 rows").max(MAX_SIDE, `at most ${MAX_SIDE} rows`),
  cols: z.number().int("columns must be a whole number").min(2, "at least 2 columns").max(MAX_SIDE, `at most ${MAX_SIDE} columns`),
  seed: z
    .number()
    .int("seed must be a whole number")
    .min(0)
    .max(2 ** 31 - 1),
  wallDensity: z.number().min(0, "between 0 and 0.6").max(0.6, "between 0 and 0.6"),
});

export const mazeSchema = z.discriminatedUnion("kind", [mazeTextSchema, mazeRandomSchema]);
export type MazeInput = z.infer<typeof mazeSchema>;

export const DEFAULT_TEACHER_AFTER_SEC = 120;

/** What a person chooses when creating an experiment; everything else comes from the preset. */
export const createExperimentSchema = z.object({
  name: z.string().trim().min(1, "give the experiment a name").max(80, "at most 80 characters"),
  preset: z.enum(["default", "seed"]),
  seed: z
    .number()
    .int("seed must be a whole number")
    .min(0, "0 or more")
    .max(2 ** 31 - 1),
  maze: mazeSchema,
  shaping: z.object({
    mode: z.enum(SHAPING_MODES),
    beta: z.number().min(0, "0 or more (0 = sparse reward only)").max(10, "at most 10"),
  }),
  teacher: z.enum(TEACHER_KINDS),
  labellingMode: z.enum(LABELLING_MODES),
  labelsPerPair: z.number().int("a whole number").min(1, "at least 1").max(5, "at most 5"),
  episodesPerRound: z.number().int("a whole number").min(10, "at least 10").max(5000, "at most 5000"),
  pairsPerRound: z.number().int("a whole number").min(1, "at least 1").max(500, "at most 500"),
  pairSelection: z.enum(PAIR_SELECTIONS),
  /** Labels the whole experiment may use, over all its rounds (null: no limit); rounds ask for fewer pairs, then none, once it runs short. */
  labelBudget: z.number().int("a whole number").min(1, "at least 1 (leave empty for no limit)").max(1_000_000, "at most 1,000,000").nullable().default(null),
  /** A human-labelled round trains on what it has after this many seconds. */
  labelTimeLimitSec: z
    .number()
    .int("a whole number")
    .min(5, "at least 5 s")
    .max(7 * 24 * 3600, "at most a week"),
  /** Mixed mode: people go first; the teacher labels a pair nobody has labelled after this many seconds. */
  teacherAfterSec: z
    .number()
    .int("a whole number")
    .min(0, "0 or more")
    .max(7 * 24 * 3600, "at most a week")
    .default(DEFAULT_TEACHER_AFTER_SEC),
  /** Share of a labeller's pairs that are gold pairs (known answer, from the maze's exact truth): they measure the person, they do not train. */
  goldRate: z.number().min(0, "between 0 and 0.5").max(0.5, "between 0 and 0.5").default(0),
});
export type CreateExperimentInput = z.infer<typeof createExperimentSchema>;

export const DEFAULT_EXPERIMENT_INPUT: Omit<CreateExperimentInput, "maze"> = {
  name: "",
  preset: "default",
  seed: 0,
  shaping: { mode: "potential", beta: 1.5 },
  teacher: "oracle",
  labellingMode: "synthetic",
  labelsPerPair: 1,
  // Measured (BENCHMARKS.md, few labels): rounds of 25 episodes refit and shape sooner than rounds of 100
  // (r16s1, 100 labels: 100 / 24 7/10 seeds); 10 pairs a round at most, a label budget spread over 250 episodes.
  episodesPerRound: 25,
  pairsPerRound: 10,
  pairSelection: "random",
  labelBudget: null,
  labelTimeLimitSec: 600,
  teacherAfterSec: DEFAULT_TEACHER_AFTER_SEC,
  goldRate: 0,
};

export const updateExperimentSchema = z
  .object({
    labellingMode: z.enum(LABELLING_MODES).optional(),
    name: z.string().trim().min(1, "give the experiment a name").max(80).optional(),
    status: z.enum(EXPERIMENT_STATUSES).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });
export type UpdateExperimentInput = z.infer<typeof updateExperimentSchema>;

/** Settings of the round loop, stored beside the engine config in Experiment.config under `studio`. */
export const roundSettingsSchema = z.object({
  pairsPerRound: z.number().int().min(1),
  pairSelection: z.enum(PAIR_SELECTIONS),
  labelTimeLimitSec: z.number().int().min(1),
  /** Reward-model steps in a round's update phase. */
  rewardUpdates: z.number().int().min(0).default(60),
  /** Share of labelled pairs kept out of training to measure accuracy (by a hash of what the pair shows). */
  heldOutShare: z.number().min(0).max(0.5).default(0.2),
  /** Mixed mode: seconds a pair waits for people before the teacher labels it. */
  teacherAfterSec: z.number().int().min(0).default(DEFAULT_TEACHER_AFTER_SEC),
  /** Share of a labeller's pairs that are gold (known-answer) pairs. */
  goldRate: z.number().min(0).max(0.5).default(0),
});
export type RoundSettings = z.infer<typeof roundSettingsSchema>;

// ---------------------------------------------------------------- responses

export const experimentSummarySchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  status: z.enum(EXPERIMENT_STATUSES),
  labellingMode: z.enum(LABELLING_MODES),
  labelsPerPair: z.number().int(),
  createdAt: isoDate,
  preset: z.string(),
  teacher: z.string(),
  maze: z.strictObject({ rows: z.number().int(), cols: z.number().int() }),
  counts: z.strictObject({
    trajectories: z.number().int(),
    openPairs: z.number().int(),
    labels: z.number().int(),
    rounds: z.number().int(),
  }),
  latestRound: roundSchema.nullable(),
});
export type ExperimentSummaryDto = z.infer<typeof experimentSummarySchema>;

export const experimentSchema = experimentSummarySchema.extend({
  config: z.strictObject({
    seed: z.number().int(),
    shaping: z.strictObject({ mode: z.enum(SHAPING_MODES), beta: z.number(), normalize: z.boolean() }),
    episodesPerRound: z.number().int(),
    pairsPerRound: z.number().int(),
    /** Labels the experiment may use over all rounds; null: no limit. */
    labelBudget: z.number().int().nullable(),
    pairSelection: z.string(),
    labelTimeLimitSec: z.number(),
    teacherAfterSec: z.number(),
    goldRate: z.number(),
    algorithm: z.string(),
  }),
  mazeText: z.string(),
});
export type ExperimentDto = z.infer<typeof experimentSchema>;

export const experimentsResponse = z.strictObject({ experiments: z.array(experimentSummarySchema) });
export const experimentResponse = z.strictObject({ experiment: experimentSchema });
