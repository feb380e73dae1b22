// Labels: recording one, human or synthetic, idempotently by its id. See queue.ts for the rules.
import "server-only";
import type { z } from "zod";
import { TX_OPTIONS, type Db, type Tx } from "../db/client";
import { isForeignKeyViolation, isTransient, isUniqueViolation, withRetry } from "../db/errors";
import { AppError, parseInput } from "../errors";
import { recordLabelSchema, type PairProgress, type RecordLabelInput } from "../../contracts/label";
import type { Choice, LabelSource } from "../../contracts/words";
import { addLabellerLabels, addOpenPairs } from "./counters";
import { freeSlot, leaseRaces } from "./leases";

export type { PairProgress } from "../../contracts/label";

export type StoredLabel = {
  id: string;
  pairId: string;
  source: LabelSource;
  userId: string | null;
  teacher: string | null;
  choice: Choice;
  responseMs: number | null;
  createdAt: Date;
};

export type RecordLabelResult = {
  label: StoredLabel;
  pair: PairProgress;
  /** True when this labelId was already stored: nothing was written this time. */
  replayed: boolean;
};

const pairProgressSelect = { id: true, status: true, labelsDone: true, labelsWanted: true } as const;

type ValidLabel = z.output<typeof recordLabelSchema>;

/** Same labelId again: the same label (a retry) is answered from storage, anything else is refused. */
async function replay(db: Db, stored: StoredLabel, label: ValidLabel): Promise<RecordLabelResult> {
  const pair = await db.pair.findUnique({ where: { id: stored.pairId }, select: { ...pairProgressSelect, experimentId: true } });
  const same =
    stored.pairId === label.pairId &&
    pair?.experimentId === label.experimentId &&
    stored.source === label.source &&
    stored.userId === (label.userId ?? null) &&
    stored.teacher === (label.teacher ?? null) &&
    stored.choice === label.choice &&
    stored.responseMs === (label.responseMs ?? null);
  if (!same || !pair) {
    throw new AppError("CONFLICT", `label id ${label.labelId} was already used for a different label`, {
      labelId: label.labelId,
    });
  }
  const { experimentId: _, ...progress } = pair;
  return { label: stored, pair: progress, replayed: true };
}

/** Counts one more non-skip label; the k-th closes the pair (and the experiment has one open pair fewer). */
async function countLabel(tx: Tx, experimentId: string, pairId: string): Promise<PairProgress> {
  const pair = await tx.pair.update({
    where: { id: pairId },
    data: { labelsDone: { increment: 1 } },
    select: pairProgressSelect,
  });
  if (pair.labelsDone >= pair.labelsWanted && pair.status === "open") {
    const { count } = await tx.pair.updateMany({ where: { id: pairId, status: "open" }, data: { status: "done" } });
    await addOpenPairs(tx, experimentId, -count);
    return { ...pair, status: count > 0 ? "done" : pair.status };
  }
  return pair;
}

async function recordHuman(tx: Tx, label: ValidLabel, userId: string): Promise<RecordLabelResult> {
  const stored = await createLabel(tx, label);
  if (label.choice === "skip") {
    const released = await tx.lease.deleteMany({ where: { pairId: label.pairId, userId, labelId: null } });
    if (released.count === 0) throw await noLease(tx, label.pairId, userId, stored.id);
    const pair = await tx.pair.findUniqueOrThrow({ where: { id: label.pairId }, select: pairProgressSelect });
    return { label: stored, pair, replayed: false };
  }
  const consumed = await tx.lease.updateMany({
    where: { pairId: label.pairId, userId, labelId: null },
    data: { labelId: stored.id },
  });
  if (consumed.count === 0) throw await noLease(tx, label.pairId, userId, stored.id);
  await addLabellerLabels(tx, label.experimentId, userId);
  return { label: stored, pair: await countLabel(tx, label.experimentId, label.pairId), replayed: false };
}

/** Why the user holds no lease on the pair: they labelled it already (CONFLICT), or they never had / lost it. */
async function noLease(tx: Tx, pairId: string, userId: string, newLabelId: string): Promise<AppError> {
  const earlier = await tx.label.findFirst({
    where: { pairId, userId, choice: { not: "skip" }, id: { not: newLabelId } },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  return earlier ? new AppError("CONFLICT", `user ${userId} already labelled pair ${pairId}`, { labelId: earlier.id }) : leaseRequired(pairId, userId);
}

function leaseRequired(pairId: string, userId: string): AppError {
  return new AppError("LEASE_REQUIRED", `pair ${pairId} is not leased to user ${userId} (never taken, or the lease expired and someone else took it)`);
}

async function recordSynthetic(tx: Tx, label: ValidLabel, labelsWanted: number, now: Date): Promise<RecordLabelResult> {
  const stored = await createLabel(tx, label);
  if (label.choice === "skip") {
    const pair = await tx.pair.findUniqueOrThrow({ where: { id: label.pairId }, select: pairProgressSelect });
    return { label: stored, pair, replayed: false };
  }
  const leases = await tx.lease.findMany({
    where: { pairId: label.pairId },
    select: { slot: true, expiresAt: true, labelId: true },
  });
  const slot = freeSlot(labelsWanted, leases, now);
  if (slot === null) {
    throw new AppError("CONFLICT", `every slot of pair ${label.pairId} is taken (labelled or leased to someone)`);
  }
  await tx.lease.deleteMany({ where: { pairId: label.pairId, slot, labelId: null, expiresAt: { lte: now } } });
  // A concurrent taker of the same slot makes this fail; recordLabel then starts over.
  await tx.lease.create({ data: { pairId: label.pairId, slot, userId: null, expiresAt: now, labelId: stored.id } });
  return { label: stored, pair: await countLabel(tx, label.experimentId, label.pairId), replayed: false };
}

async function createLabel(tx: Tx, label: ValidLabel): Promise<StoredLabel> {
  try {
    return await tx.label.create({
      data: {
        id: label.labelId,
        pairId: label.pairId,
        source: label.source,
        userId: label.userId ?? null,
        teacher: label.teacher ?? null,
        choice: label.choice,
        responseMs: label.responseMs ?? null,
      },
    });
  } catch (err) {
    if (isForeignKeyViolation(err) && label.userId) {
      throw new AppError("NOT_FOUND", `user ${label.userId} not found`);
    }
    throw err;
  }
}

/**
 * Records one label (human or synthetic), in one transaction, idempotently by labelId.
 * Errors: VALIDATION (bad input), NOT_FOUND (pair not in that experiment, unknown user),
 * PAIR_CLOSED, FORBIDDEN (human label on a synthetic-only experiment), LEASE_REQUIRED,
 * CONFLICT (labelled twice, labelId reused, no free slot for a synthetic label).
 */
export async function recordLabel(db: Db, input: RecordLabelInput, now = new Date()): Promise<RecordLabelResult> {
  const label = parseInput(recordLabelSchema, input, "label");
  return withRetry(
    async () => {
      const existing = await db.label.findUnique({ where: { id: label.labelId } });
      if (existing) return replay(db, existing, label);

      const pair = await db.pair.findUnique({
        where: { id: label.pairId },
        select: { experimentId: true, status: true, labelsWanted: true, experiment: { select: { labellingMode: true } } },
      });
      if (!pair || pair.experimentId !== label.experimentId) {
        throw new AppError("NOT_FOUND", `pair ${label.pairId} not found in experiment ${label.experimentId}`);
      }
      // A retired pair (its round stopped taking labels) still takes the label of whoever holds its lease: a late
      // label is kept, and the next round trains on it.
      const lateHolder =
        pair.status === "retired" &&
        label.source === "human" &&
        (await db.lease.count({ where: { pairId: label.pairId, userId: label.userId!, labelId: null } })) > 0;
      if (pair.status !== "open" && !lateHolder) throw new AppError("PAIR_CLOSED", `pair ${label.pairId} is ${pair.status}`);
      if (label.source === "human" && pair.experiment.labellingMode === "synthetic") {
        throw new AppError("FORBIDDEN", `experiment ${label.experimentId} is labelled by its synthetic teacher only`);
      }

      try {
        return await db.$transaction(
          (tx) => (label.source === "human" ? recordHuman(tx, label, label.userId!) : recordSynthetic(tx, label, pair.labelsWanted, now)),
          TX_OPTIONS,
        );
      } catch (err) {
        // The same labelId arrived twice at once, and the other request won (we then failed
        // on the label's id, or on "already labelled"): the label it stored decides.
        const stored = await db.label.findUnique({ where: { id: label.labelId } });
        if (stored) return replay(db, stored, label);
        throw err;
      }
    },
    // A synthetic label that lost its slot to someone else starts over and finds another.
    (err) => {
      if (!isUniqueViolation(err, "Lease")) return isTransient(err);
      leaseRaces.uniqueRetries++;
      return true;
    },
  );
}
