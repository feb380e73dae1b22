// From the form's few choices to the full engine config stored with the experiment (and back).
import "server-only";
import { z } from "zod";
import { layoutToText, parseLayout, randomLayout } from "../../maze/layout";
import { presetConfig, trainConfigSchema, withTeacher, type TrainConfig } from "../../rl/config";
import { roundSettingsSchema, type CreateExperimentInput, type RoundSettings } from "../../contracts/experiment";

/** Experiment.config: the engine's TrainConfig (episodes = episodes per round) plus the round loop's settings. */
export const storedConfigSchema = trainConfigSchema.extend({ studio: roundSettingsSchema });
export type StoredConfig = z.infer<typeof storedConfigSchema>;

/** The maze as stored: the layout the parser read (trailing spaces and blank edge lines gone), as the form's preview shows it. */
export function mazeText(maze: CreateExperimentInput["maze"]): string {
  if (maze.kind === "text") return layoutToText(parseLayout(maze.text));
  return layoutToText(randomLayout({ rows: maze.rows, cols: maze.cols, seed: maze.seed, wallDensity: maze.wallDensity }));
}

export function resolveConfig(input: CreateExperimentInput): StoredConfig {
  const base: TrainConfig = withTeacher(presetConfig(input.preset), input.teacher);
  const layout = mazeText(input.maze);
  const rows = layout.split("\n").length;
  const cols = layout.split("\n")[0].length;
  const train: TrainConfig = {
    ...base,
    seed: input.seed,
    episodes: input.episodesPerRound,
    // The original's 60 steps suit its 8x8 maze; bigger mazes get room to reach the goal.
    env: { ...base.env, layout, maxSteps: Math.max(base.env.maxSteps, 4 * (rows + cols)) },
    shaping: { ...base.shaping, mode: input.shaping.mode, beta: input.shaping.beta },
    // A round's preferences come from its own pairs; the preset's per-episode schedule is not used.
    rewardModel: { ...base.rewardModel, minPreferences: Math.min(base.rewardModel.minPreferences, 4) },
    // The experiment's label budget, over all its rounds (the round core stops asking once it is spent).
    preferences: { ...base.preferences, budget: input.labelBudget },
  };
  const studio: RoundSettings = roundSettingsSchema.parse({
    pairsPerRound: input.pairsPerRound,
    pairSelection: input.pairSelection,
    labelTimeLimitSec: input.labelTimeLimitSec,
    teacherAfterSec: input.teacherAfterSec,
    goldRate: input.goldRate,
  });
  return storedConfigSchema.parse({ ...train, studio });
}

export function parseStoredConfig(text: string): StoredConfig {
  return storedConfigSchema.parse(JSON.parse(text));
}
