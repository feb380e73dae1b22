// Labels and the labelling queue: what a client (browser, teacher, importer) may send, and what the labelling
// routes answer.
import { z } from "zod";
import { idSchema, isoDate } from "./ids";
import { CHOICES, LABEL_SOURCES, LABELLING_MODES, PAIR_STATUSES } from "./words";

export { CHOICES, LABEL_SOURCES, type Choice, type LabelSource } from "./words";

/**
 * The label's id is made by the client (e.g. crypto.randomUUID()) before the first attempt,
 * so a retried request carries the same id and is recognised instead of counted twice.
 */
export const labelIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "label id: 8-64 letters, digits, '-' or '_' (a uuid will do)");

export const teacherNameSchema = z.string().trim().min(1, "teacher name is empty").max(64, "teacher name: at most 64 characters");

/** Time the labeller spent on the pair; capped at a day (anything longer is a stale tab). */
export const responseMsSchema = z.number().int("a whole number of ms").min(0).max(86_400_000);

export const recordLabelSchema = z
  .object({
    labelId: labelIdSchema,
    pairId: idSchema,
    experimentId: idSchema,
    source: z.enum(LABEL_SOURCES),
    userId: idSchema.nullish(),
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
  pairId: idSchema,
  choice: z.enum(CHOICES, { error: `choice must be one of ${CHOICES.join(", ")}` }),
  responseMs: responseMsSchema.optional(),
  /** The pair the page already shows as the next one (preloaded): the answer leases that one when it is free, so it does not change under the labeller. */
  nextPairId: idSchema.optional(),
});
export type HumanLabelBody = z.infer<typeof humanLabelBodySchema>;

export const MIN_LEASE_MS = 1_000;
export const MAX_LEASE_MS = 24 * 3600_000;
export const DEFAULT_LEASE_MS = 10 * 60_000;

export const nextPairSchema = z.object({
  experimentId: idSchema,
  userId: idSchema,
  leaseMs: z.number().int().min(MIN_LEASE_MS).max(MAX_LEASE_MS).default(DEFAULT_LEASE_MS),
});
export type NextPairInput = z.input<typeof nextPairSchema>;

/** How a pair was chosen ('random', 'disagreement', ...): open-ended, but a short word. */
export const pairSelectionSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "selection: a short lowercase word");

// ---------------------------------------------------------------- responses

/** One trajectory, decoded: cells visited (start included), each step's action and reward. */
export const trajectoryViewSchema = z.strictObject({
  id: idSchema,
  round: z.number().int(),
  policyVersion: z.number().int(),
  return: z.number(),
  length: z.number().int(),
  success: z.boolean(),
  actions: z.array(z.number()),
  cells: z.array(z.number()),
  rewards: z.array(z.number()),
});
export type TrajectoryView = z.infer<typeof trajectoryViewSchema>;

export const mazeViewSchema = z.strictObject({ text: z.string(), rows: z.number().int(), cols: z.number().int() });
export type MazeDto = z.infer<typeof mazeViewSchema>;

export const pairViewSchema = z.strictObject({
  pairId: idSchema,
  experimentId: idSchema,
  experimentName: z.string(),
  selection: z.string(),
  leased: z.boolean(),
  leaseExpiresAt: isoDate.nullable(),
  maze: mazeViewSchema,
  left: trajectoryViewSchema,
  right: trajectoryViewSchema,
});
export type PairDto = z.infer<typeof pairViewSchema>;

export const queueStatsSchema = z.strictObject({
  experimentId: idSchema,
  /**
   * Open pairs of the experiment, whoever may label them (some may be held by others, or already labelled or skipped
   * by this user when a pair wants several labels). A kept counter: exact, and cheap to read on every request.
   */
  openPairs: z.number().int(),
  /** This user's decided (non-skip) labels in the experiment. */
  labelledByYou: z.number().int(),
});
export type QueueStatsDto = z.infer<typeof queueStatsSchema>;

/** The experiment's round that waits for people's labels now: its decided labels against its target. */
export const waitingRoundSchema = z.strictObject({
  index: z.number().int(),
  have: z.number().int(),
  target: z.number().int(),
  /** When the round stops waiting and trains on what it has (a limit, not an estimate). */
  deadline: isoDate.nullable(),
  /** Seconds until the target is met at the label rate seen so far; null before the first label. */
  etaSeconds: z.number().nullable(),
  note: z.string().nullable(),
});
export type WaitingRoundDto = z.infer<typeof waitingRoundSchema>;

export const labelTargetSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  labellingMode: z.enum(LABELLING_MODES),
  openPairs: z.number().int(),
  /** The round waiting for people, if one is: such experiments come first. */
  round: waitingRoundSchema.nullable(),
});
export type LabelTargetDto = z.infer<typeof labelTargetSchema>;

/** POST /api/label/next: lease the caller's next pair of this experiment (GET routes never lease). */
export const nextRequestSchema = z.strictObject({ experimentId: idSchema });

export const nextResponse = z.strictObject({
  pair: pairViewSchema.nullable(),
  /** The pair after it, to preload (not leased yet). */
  upcoming: pairViewSchema.nullable(),
  stats: queueStatsSchema,
  round: waitingRoundSchema.nullable(),
});

/** GET /api/label/queue: what waits for the caller, read only (the empty screen polls it). */
export const queueStatusResponse = z.strictObject({ stats: queueStatsSchema, round: waitingRoundSchema.nullable() });
export type QueueStatusDto = z.infer<typeof queueStatusResponse>;

/** A label given after the round its pair belongs to stopped taking labels: kept, and trained on by the next round. */
export const lateLabelSchema = z.strictObject({ round: z.number().int(), countsFor: z.number().int() });
export type LateLabelDto = z.infer<typeof lateLabelSchema>;
export type NextDto = z.infer<typeof nextResponse>;

export const pairProgressSchema = z.strictObject({
  id: idSchema,
  status: z.enum(PAIR_STATUSES),
  labelsDone: z.number().int(),
  labelsWanted: z.number().int(),
});
export type PairProgress = z.infer<typeof pairProgressSchema>;

export const labelResultResponse = z.strictObject({
  labelId: z.string(),
  replayed: z.boolean(),
  pair: pairProgressSchema,
  /** Set when the pair's round had closed: the label is stored and counts for the next round. */
  late: lateLabelSchema.nullable(),
  next: nextResponse,
});
export type LabelResultDto = z.infer<typeof labelResultResponse>;

/** One pair with both trajectories and its labels, for review. */
export const pairReviewSchema = pairViewSchema.extend({
  labels: z.array(z.strictObject({ source: z.enum(LABEL_SOURCES), choice: z.enum(CHOICES), user: z.string().nullable(), teacher: z.string().nullable() })),
});
export type PairReviewDto = z.infer<typeof pairReviewSchema>;

export const pairResponse = z.strictObject({ pair: pairReviewSchema });
/** At most this many experiments in the picker (the waiting rounds first, then the most open pairs). */
export const MAX_LABEL_TARGETS = 20;
export const labelTargetsResponse = z.strictObject({
  experiments: z.array(labelTargetSchema).max(MAX_LABEL_TARGETS),
  /** How many experiments people could label in all (more than listed when the list is capped). */
  total: z.number().int(),
});
