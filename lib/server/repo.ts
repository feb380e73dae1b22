// Data access for everything around the queue: users, experiments, trajectories, pairs,
// training data, checkpoints, metrics. Pure functions taking a client; inputs validated
// with zod, refusals as AppError.
import { z } from "zod";
import { EXPERIMENT_STATUSES, LABELLING_MODES } from "../schemas/experiment";
import { decodeFloat32, encodeFloat32, encodeSteps } from "./codec";
import type { Db, DbOrTx } from "./db";
import { isForeignKeyViolation, isUniqueViolation, uuidv7 } from "./db-errors";
import { AppError } from "./errors";
import { parseInput, toTrajectoryView, TX_OPTIONS, type TrajectoryView } from "./queue";
import { CHOICES, LABEL_SOURCES, pairSelectionSchema, recordIdSchema } from "../schemas/label";

// ---------------------------------------------------------------- users

export const ROLES = ["labeler", "researcher", "admin"] as const;

const createUserSchema = z.object({
  name: z.string().trim().min(1, "name is empty").max(64, "name: at most 64 characters"),
  role: z.enum(ROLES).default("labeler"),
  passwordHash: z.string().min(1).nullish(),
});

export async function createUser(db: DbOrTx, input: z.input<typeof createUserSchema>) {
  const data = parseInput(createUserSchema, input, "user");
  try {
    return await db.user.create({ data: { name: data.name, role: data.role, passwordHash: data.passwordHash ?? null } });
  } catch (err) {
    if (isUniqueViolation(err, "User")) throw new AppError("CONFLICT", `a user named ${data.name} already exists`);
    throw err;
  }
}

// ---------------------------------------------------------------- experiments

const createExperimentSchema = z.object({
  name: z.string().trim().min(1, "name is empty").max(120),
  /** The resolved engine config (maze layout text, seed, ...): any JSON object. */
  config: z.record(z.string(), z.unknown()),
  labellingMode: z.enum(LABELLING_MODES).default("human"),
  labelsPerPair: z.number().int().min(1).max(20).default(1),
  status: z.enum(EXPERIMENT_STATUSES).default("draft"),
});

export async function createExperiment(db: DbOrTx, input: z.input<typeof createExperimentSchema>) {
  const data = parseInput(createExperimentSchema, input, "experiment");
  return db.experiment.create({ data: { ...data, config: JSON.stringify(data.config) } });
}

/** The experiment with its config parsed back from JSON text. */
export async function getExperiment(db: DbOrTx, experimentId: string) {
  const experiment = await db.experiment.findUnique({ where: { id: parseInput(recordIdSchema, experimentId, "experiment id") } });
  if (!experiment) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  return { ...experiment, config: JSON.parse(experiment.config) as Record<string, unknown> };
}

// ---------------------------------------------------------------- trajectories

const trajectoryInputSchema = z.object({
  round: z.number().int().min(0),
  policyVersion: z.number().int().min(0),
  actions: z.array(z.number()),
  cells: z.array(z.number()),
  rewards: z.array(z.number()),
  /** Defaults to the sum of rewards. */
  return: z.number().optional(),
  success: z.boolean(),
});
export type TrajectoryInput = z.input<typeof trajectoryInputSchema>;

const INSERT_CHUNK = 500;

/**
 * Inserts trajectories of one experiment in one transaction (all or nothing), in chunks.
 * Returns their ids in input order.
 */
export async function insertTrajectories(db: Db, experimentId: string, trajectories: TrajectoryInput[]): Promise<string[]> {
  parseInput(recordIdSchema, experimentId, "experiment id");
  const rows = trajectories.map((t, i) => {
    const parsed = parseInput(trajectoryInputSchema, t, `trajectory ${i}`);
    const encoded = encodeSteps(parsed);
    return {
      id: uuidv7(),
      experimentId,
      round: parsed.round,
      policyVersion: parsed.policyVersion,
      ...encoded,
      return: parsed.return ?? parsed.rewards.reduce((a, b) => a + b, 0),
      success: parsed.success,
    };
  });
  try {
    await db.$transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx.trajectory.createMany({ data: rows.slice(i, i + INSERT_CHUNK) });
      }
    }, TX_OPTIONS);
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
    throw err;
  }
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------- pairs

const pairInputSchema = z
  .object({
    leftId: recordIdSchema,
    rightId: recordIdSchema,
    selection: pairSelectionSchema,
    priority: z.number().finite().default(0),
    /** Defaults to the experiment's labelsPerPair. */
    labelsWanted: z.number().int().min(1).max(20).optional(),
  })
  .refine((p) => p.leftId !== p.rightId, { message: "a pair needs two different trajectories", path: ["rightId"] });
export type PairInput = z.input<typeof pairInputSchema>;

/** Creates pairs of one experiment (all or nothing); both trajectories must belong to it. */
export async function createPairs(db: Db, experimentId: string, pairs: PairInput[]): Promise<string[]> {
  parseInput(recordIdSchema, experimentId, "experiment id");
  const parsed = pairs.map((p, i) => parseInput(pairInputSchema, p, `pair ${i}`));
  const experiment = await db.experiment.findUnique({ where: { id: experimentId }, select: { labelsPerPair: true } });
  if (!experiment) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);

  const trajectoryIds = [...new Set(parsed.flatMap((p) => [p.leftId, p.rightId]))];
  const known = new Set<string>();
  for (let i = 0; i < trajectoryIds.length; i += INSERT_CHUNK) {
    const found = await db.trajectory.findMany({
      where: { id: { in: trajectoryIds.slice(i, i + INSERT_CHUNK) }, experimentId },
      select: { id: true },
    });
    for (const t of found) known.add(t.id);
  }
  const missing = trajectoryIds.find((id) => !known.has(id));
  if (missing) throw new AppError("NOT_FOUND", `trajectory ${missing} not found in experiment ${experimentId}`);

  // Strictly increasing timestamps keep the queue's createdAt tie-break in input order.
  const start = Date.now();
  const rows = parsed.map((p, i) => ({
    id: uuidv7(start),
    experimentId,
    leftId: p.leftId,
    rightId: p.rightId,
    selection: p.selection,
    priority: p.priority,
    labelsWanted: p.labelsWanted ?? experiment.labelsPerPair,
    createdAt: new Date(start + i),
  }));
  await db.$transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx.pair.createMany({ data: rows.slice(i, i + INSERT_CHUNK) });
    }
  }, TX_OPTIONS);
  return rows.map((r) => r.id);
}

/** Takes a pair out of the queue (e.g. a newer round replaced it). Its labels stay. */
export async function retirePair(db: DbOrTx, pairId: string): Promise<void> {
  const { count } = await db.pair.updateMany({
    where: { id: parseInput(recordIdSchema, pairId, "pair id"), status: "open" },
    data: { status: "retired" },
  });
  if (count === 0 && !(await db.pair.findUnique({ where: { id: pairId }, select: { id: true } }))) {
    throw new AppError("NOT_FOUND", `pair ${pairId} not found`);
  }
}

// ---------------------------------------------------------------- training data

export type TrainingLabel = {
  id: string;
  source: (typeof LABEL_SOURCES)[number];
  userId: string | null;
  teacher: string | null;
  choice: Exclude<(typeof CHOICES)[number], "skip">;
  createdAt: Date;
};

export type TrainingPair = {
  pairId: string;
  selection: string;
  left: TrajectoryView;
  right: TrajectoryView;
  labels: TrainingLabel[];
};

/**
 * Pairs with at least one non-skip label, with both trajectories decoded and those labels,
 * oldest pair first. `since` keeps pairs that got a label at or after that time.
 */
export async function listTrainingData(
  db: DbOrTx,
  experimentId: string,
  options: { since?: Date } = {},
): Promise<TrainingPair[]> {
  parseInput(recordIdSchema, experimentId, "experiment id");
  const labelWhere = {
    choice: { not: "skip" as const },
    ...(options.since ? { createdAt: { gte: options.since } } : {}),
  };
  const trajectory = {
    select: { id: true, round: true, policyVersion: true, actions: true, cells: true, rewards: true, return: true, length: true, success: true },
  } as const;
  const pairs = await db.pair.findMany({
    where: { experimentId, labels: { some: labelWhere } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      selection: true,
      left: trajectory,
      right: trajectory,
      labels: {
        where: { choice: { not: "skip" } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, source: true, userId: true, teacher: true, choice: true, createdAt: true },
      },
    },
  });
  return pairs.map((p) => ({
    pairId: p.id,
    selection: p.selection,
    left: toTrajectoryView(p.left),
    right: toTrajectoryView(p.right),
    labels: p.labels as TrainingLabel[],
  }));
}

// ---------------------------------------------------------------- checkpoints

const checkpointInputSchema = z.object({
  experimentId: recordIdSchema,
  roundId: recordIdSchema.nullish(),
  policyWeights: z.union([z.instanceof(Float32Array), z.array(z.number())]),
  rewardWeights: z.union([z.instanceof(Float32Array), z.array(z.number())]),
  /** Shapes, versions, anything needed to restore the weights: stored as JSON text. */
  meta: z.record(z.string(), z.unknown()).default({}),
});

export async function saveCheckpoint(db: DbOrTx, input: z.input<typeof checkpointInputSchema>) {
  const data = parseInput(checkpointInputSchema, input, "checkpoint");
  try {
    const row = await db.checkpoint.create({
      data: {
        id: uuidv7(),
        experimentId: data.experimentId,
        roundId: data.roundId ?? null,
        policyWeights: encodeFloat32(data.policyWeights),
        rewardWeights: encodeFloat32(data.rewardWeights),
        meta: JSON.stringify(data.meta),
      },
      select: { id: true, createdAt: true },
    });
    return row;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError("NOT_FOUND", "experiment or round of the checkpoint not found");
    throw err;
  }
}

export type LoadedCheckpoint = {
  id: string;
  experimentId: string;
  roundId: string | null;
  policyWeights: Float32Array;
  rewardWeights: Float32Array;
  meta: Record<string, unknown>;
  createdAt: Date;
};

/** The newest checkpoint of the experiment, weights decoded; null when there is none. */
export async function latestCheckpoint(db: DbOrTx, experimentId: string): Promise<LoadedCheckpoint | null> {
  const row = await db.checkpoint.findFirst({
    where: { experimentId: parseInput(recordIdSchema, experimentId, "experiment id") },
    // uuid v7 ids grow with time: the tie-break for checkpoints saved in the same millisecond.
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  if (!row) return null;
  return {
    id: row.id,
    experimentId: row.experimentId,
    roundId: row.roundId,
    policyWeights: decodeFloat32(row.policyWeights),
    rewardWeights: decodeFloat32(row.rewardWeights),
    meta: JSON.parse(row.meta) as Record<string, unknown>,
    createdAt: row.createdAt,
  };
}

// ---------------------------------------------------------------- metrics

const metricInputSchema = z.object({
  roundId: recordIdSchema.nullish(),
  episode: z.number().int().min(0).nullish(),
  kind: z.string().regex(/^[a-z][a-z0-9_.-]{0,31}$/, "kind: a short lowercase word, e.g. 'episode' or 'round'"),
  data: z.record(z.string(), z.unknown()),
});
export type MetricInput = z.input<typeof metricInputSchema>;

/** Stores metrics of one experiment in one statement batch (all or nothing). */
export async function recordMetrics(db: Db, experimentId: string, metrics: MetricInput[]): Promise<number> {
  parseInput(recordIdSchema, experimentId, "experiment id");
  const rows = metrics.map((m, i) => {
    const parsed = parseInput(metricInputSchema, m, `metric ${i}`);
    return {
      id: uuidv7(),
      experimentId,
      roundId: parsed.roundId ?? null,
      episode: parsed.episode ?? null,
      kind: parsed.kind,
      data: JSON.stringify(parsed.data),
    };
  });
  try {
    await db.$transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx.metric.createMany({ data: rows.slice(i, i + INSERT_CHUNK) });
      }
    }, TX_OPTIONS);
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError("NOT_FOUND", "experiment or round of the metrics not found");
    throw err;
  }
  return rows.length;
}

/** Metrics of an experiment in the order they were stored, data parsed. */
export async function listMetrics(
  db: DbOrTx,
  experimentId: string,
  filter: { kind?: string; roundId?: string } = {},
) {
  const rows = await db.metric.findMany({
    where: { experimentId: parseInput(recordIdSchema, experimentId, "experiment id"), ...filter },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}
