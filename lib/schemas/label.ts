// Labels and the labelling queue: what a client (browser, teacher, importer) may send.
import { z } from "zod";

export const CHOICES = ["left", "right", "equal", "skip"] as const;
export type Choice = (typeof CHOICES)[number];
export const LABEL_SOURCES = ["human", "synthetic"] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/** Database ids (uuids) and the like: anything else cannot exist. */
export const recordIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a valid id");

/**
 * The label's id is made by the client (e.g. crypto.randomUUID()) before the first attempt,
 * so a retried request carries the same id and is recognised instead of counted twice.
 */
export const labelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "label id: 8-64 letters, digits, '-' or '_' (a uuid will do)");

export const teacherNameSchema = z.string().trim().min(1, "teacher name is empty").max(64, "teacher name: at most 64 characters");

/** Time the labeller spent on the pair; capped at a day (anything longer is a stale tab). */
export const responseMsSchema = z.number().int("a whole number of ms").min(0).max(86_400_000);

export const recordLabelSchema = z
  .object({
    labelId: labelIdSchema,
    pairId: recordIdSchema,
    experimentId: recordIdSchema,
    source: z.enum(LABEL_SOURCES),
    userId: recordIdSchema.nullish(),
    teacher: teacherNameSchema.nullish(),
    choice: z.enum(CHOICES, { error: `choice must be one of ${CHOICES.join(", ")}` }),
    responseMs: responseMsSchema.nullish(),
  })
  .superRefine((label, ctx) => {
    if (label.source === "human") {
      if (!label.userId) ctx.addIssue({ code: "custom", path: ["userId"], message: "a human label needs the user" });
      if (label.teacher) ctx.addIssue({ code: "custom", path: ["teacher"], message: "a human label has no teacher" });
    } else {
      if (!label.teacher) ctx.addIssue({ code: "custom", path: ["teacher"], message: "a synthetic label names its teacher" });
      if (label.userId) ctx.addIssue({ code: "custom", path: ["userId"], message: "a synthetic label has no user" });
    }
  });
export type RecordLabelInput = z.input<typeof recordLabelSchema>;

/** What the labelling page posts; the route adds the user (from the session) and the experiment. */
export const humanLabelBodySchema = z.object({
  labelId: labelIdSchema,
  pairId: recordIdSchema,
  choice: z.enum(CHOICES, { error: `choice must be one of ${CHOICES.join(", ")}` }),
  responseMs: responseMsSchema.optional(),
});
export type HumanLabelBody = z.infer<typeof humanLabelBodySchema>;

export const MIN_LEASE_MS = 1_000;
export const MAX_LEASE_MS = 24 * 3600_000;
export const DEFAULT_LEASE_MS = 10 * 60_000;

export const nextPairSchema = z.object({
  experimentId: recordIdSchema,
  userId: recordIdSchema,
  leaseMs: z.number().int().min(MIN_LEASE_MS).max(MAX_LEASE_MS).default(DEFAULT_LEASE_MS),
});
export type NextPairInput = z.input<typeof nextPairSchema>;

/** How a pair was chosen ('random', 'disagreement', ...): open-ended, but a short word. */
export const pairSelectionSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "selection: a short lowercase word");
