// Trajectories and pairs as the round runner, the CLI and tests store them: validated with zod, written in
// chunks inside one transaction (all or nothing), refusals as AppError.
import "server-only";
import { z } from "zod";
import { encodeSteps } from "../db/codec";
import { TX_OPTIONS, type Db } from "../db/client";
import { isForeignKeyViolation } from "../db/errors";
import { uuidv7 } from "../db/ids";
import { AppError, parseInput } from "../errors";
import { idSchema } from "../../contracts/ids";
import { pairSelectionSchema } from "../../contracts/label";
import { addOpenPairs } from "./counters";

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
  parseInput(idSchema, experimentId, "experiment id");
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

const pairInputSchema = z
  .object({
    leftId: idSchema,
    rightId: idSchema,
    selection: pairSelectionSchema,
    priority: z.number().finite().default(0),
    /** Defaults to the experiment's labelsPerPair. */
    labelsWanted: z.number().int().min(1).max(20).optional(),
  })
  .refine((p) => p.leftId !== p.rightId, { message: "a pair needs two different trajectories", path: ["rightId"] });
export type PairInput = z.input<typeof pairInputSchema>;

/** Creates pairs of one experiment (all or nothing); both trajectories must belong to it. */
export async function createPairs(db: Db, experimentId: string, pairs: PairInput[]): Promise<string[]> {
  parseInput(idSchema, experimentId, "experiment id");
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
    await addOpenPairs(tx, experimentId, rows.length);
  }, TX_OPTIONS);
  return rows.map((r) => r.id);
}
