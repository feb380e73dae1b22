// One line of a preference dataset (JSONL): a pair, both trajectories decoded, every label.
import { z } from "zod";
import { idSchema } from "./ids";
import { pairSelectionSchema, teacherNameSchema } from "./label";
import { CHOICES, COUNTED_CHOICES, LABEL_SOURCES, PAIR_STATUSES } from "./words";

export const DATASET_FORMAT = "oprl.preferences.v1";

export const datasetTrajectorySchema = z
  .object({
    id: idSchema,
    round: z.number().int().min(0),
    policyVersion: z.number().int().min(0),
    return: z.number(),
    success: z.boolean(),
    actions: z.array(z.number().int().min(0).max(3)),
    cells: z.array(z.number().int().min(0).max(0xffff)),
    rewards: z.array(z.number()),
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
    id: z.string().min(1).max(64),
    source: z.enum(LABEL_SOURCES),
    /** Users are matched by name on import (ids differ between databases). */
    user: z.string().min(1).max(64).nullable(),
    teacher: teacherNameSchema.nullable(),
    choice: z.enum(CHOICES),
    responseMs: z.number().int().min(0).nullable(),
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
      priority: z.number(),
      status: z.enum(PAIR_STATUSES),
      labelsWanted: z.number().int().min(1).max(20),
      createdAt: z.iso.datetime(),
    }),
    left: datasetTrajectorySchema,
    right: datasetTrajectorySchema,
    labels: z.array(datasetLabelSchema),
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
