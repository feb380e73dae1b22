// One line of a preference dataset (JSONL): a pair, both trajectories decoded, every label.
import { z } from "zod";
import { userNameSchema } from "./auth";
import { idSchema } from "./ids";
import { labelIdSchema, pairSelectionSchema, responseMsSchema, teacherNameSchema } from "./label";
import { CHOICES, COUNTED_CHOICES, LABEL_SOURCES, PAIR_STATUSES } from "./words";

export const DATASET_FORMAT = "oprl.preferences.v1";

/** Caps on what an import reads: a line (two trajectories and their labels), the lines of a file, steps, labels. */
export const DATASET_LIMITS = {
  lineBytes: 256 * 1024,
  lines: 100_000,
  /** Steps of one trajectory (the experiment's maxSteps is checked too, on import). */
  steps: 10_000,
  labelsPerPair: 100,
  /** |priority|, |return| and |reward| above this are not numbers the engine makes. */
  magnitude: 1e6,
} as const;

const bounded = (what: string) => z.number().refine((v) => Math.abs(v) <= DATASET_LIMITS.magnitude, `${what}: at most ${DATASET_LIMITS.magnitude} in size`);

export const datasetTrajectorySchema = z
  .object({
    id: idSchema,
    round: z.number().int().min(0).max(1_000_000),
    policyVersion: z.number().int().min(0).max(1_000_000_000),
    return: bounded("return"),
    success: z.boolean(),
    actions: z.array(z.number().int().min(0).max(3)).max(DATASET_LIMITS.steps),
    cells: z.array(z.number().int().min(0).max(0xffff)).max(DATASET_LIMITS.steps + 1),
    rewards: z.array(bounded("reward")).max(DATASET_LIMITS.steps),
  })
  .superRefine((t, ctx) => {
    if (t.cells.length !== t.actions.length + 1) {
      ctx.addIssue({ code: "custom", path: ["cells"], message: `expected ${t.actions.length + 1} cells (start included)` });
    }
    if (t.rewards.length !== t.actions.length) {
      ctx.addIssue({ code: "custom", path: ["rewards"], message: `expected ${t.actions.length} rewards` });
    }
  });
export type DatasetTrajectory = z.infer<typeof datasetTrajectorySchema>;

export const datasetLabelSchema = z
  .object({
    id: labelIdSchema,
    source: z.enum(LABEL_SOURCES),
    /** Users are matched by name on import (ids differ between databases), read as the sign-up form reads them. */
    user: userNameSchema.nullable(),
    teacher: teacherNameSchema.nullable(),
    choice: z.enum(CHOICES),
    responseMs: responseMsSchema.nullable(),
    createdAt: z.iso.datetime(),
  })
  .superRefine((l, ctx) => {
    if (l.source === "human" && !l.user) ctx.addIssue({ code: "custom", path: ["user"], message: "a human label names its user" });
    if (l.source === "synthetic" && !l.teacher) {
      ctx.addIssue({ code: "custom", path: ["teacher"], message: "a synthetic label names its teacher" });
    }
  });
export type DatasetLabel = z.infer<typeof datasetLabelSchema>;

export const datasetLineSchema = z
  .object({
    format: z.literal(DATASET_FORMAT),
    pair: z.object({
      id: idSchema,
      selection: pairSelectionSchema,
      priority: bounded("priority"),
      status: z.enum(PAIR_STATUSES),
      labelsWanted: z.number().int().min(1).max(20),
      createdAt: z.iso.datetime(),
    }),
    left: datasetTrajectorySchema,
    right: datasetTrajectorySchema,
    labels: z.array(datasetLabelSchema).max(DATASET_LIMITS.labelsPerPair),
    /** What the maze's exact truth says of the pair (export only; import ignores it, older files lack it). */
    truth: z.enum(COUNTED_CHOICES).optional(),
  })
  .superRefine((line, ctx) => {
    const counted = line.labels.filter((l) => l.choice !== "skip").length;
    if (counted > line.pair.labelsWanted) {
      ctx.addIssue({
        code: "custom",
        path: ["labels"],
        message: `${counted} labels but the pair wants only ${line.pair.labelsWanted}`,
      });
    }
    const humans = line.labels.filter((l) => l.source === "human" && l.choice !== "skip").map((l) => l.user);
    const twice = humans.find((user, i) => humans.indexOf(user) !== i);
    if (twice) ctx.addIssue({ code: "custom", path: ["labels"], message: `user ${twice} labelled the pair twice` });
    if (line.left.id === line.right.id) {
      ctx.addIssue({ code: "custom", path: ["right", "id"], message: "a pair needs two different trajectories" });
    }
  });
export type DatasetLine = z.infer<typeof datasetLineSchema>;
