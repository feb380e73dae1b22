// Labels: recording one, human or synthetic, idempotently by its id. See queue.ts for the rules.
import "server-only";
import type { z } from "zod";
import { TX_OPTIONS, type Db, type DbOrTx, type Tx } from "../db/client";
import { dialectOf } from "../db/dialect";
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
async function noLease(tx: DbOrTx, pairId: string, userId: string, newLabelId: string): Promise<AppError> {
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

/** What recording a label reads of its pair first, in one statement (PostgreSQL joins the relations). */
function pairForLabelSelect(labelId: string) {
  return {
    id: true,
    experimentId: true,
    status: true,
    labelsWanted: true,
    selection: true,
    experiment: { select: { labellingMode: true } },
    left: { select: { round: true } },
    // The label itself when this id was stored already on this pair (a retry): answered without writing.
    labels: { where: { id: labelId }, take: 1 },
  } as const;
}

export type PairForLabel = NonNullable<Awaited<ReturnType<typeof readPairForLabel>>>;

/** The pair a label is about, with what recordLabel checks (labelAndNext reads it once and hands it on). */
export async function readPairForLabel(db: Db, pairId: string, labelId: string) {
  return db.pair.findUnique({ where: { id: pairId }, select: pairForLabelSelect(labelId) });
}

/**
 * Records one label (human or synthetic), in one transaction, idempotently by labelId.
 * Errors: VALIDATION (bad input), NOT_FOUND (pair not in that experiment, unknown user),
 * PAIR_CLOSED, FORBIDDEN (human label on a synthetic-only experiment), LEASE_REQUIRED,
 * CONFLICT (labelled twice, labelId reused, no free slot for a synthetic label).
 * `read` is the pair as readPairForLabel just read it (used for the first attempt only; a retry reads again).
 */
export async function recordLabel(db: Db, input: RecordLabelInput, now = new Date(), read?: PairForLabel): Promise<RecordLabelResult> {
  const label = parseInput(recordLabelSchema, input, "label");
  let given = read?.id === label.pairId ? read : undefined;
  return withRetry(
    async () => {
      const pair = given ?? (await readPairForLabel(db, label.pairId, label.labelId));
      given = undefined;
      if (pair?.labels[0]) return replay(db, pair.labels[0], label);
      // A refusal checks first whether the id was stored already (elsewhere, or just now): a retry is answered, not refused.
      const refuse = async (err: AppError) => {
        const stored = await db.label.findUnique({ where: { id: label.labelId } });
        if (stored) return replay(db, stored, label);
        throw err;
      };
      if (!pair || pair.experimentId !== label.experimentId) {
        return refuse(new AppError("NOT_FOUND", `pair ${label.pairId} not found in experiment ${label.experimentId}`));
      }
      // A retired pair (its round stopped taking labels) still takes the label of whoever holds its lease: a late
      // label is kept, and the next round trains on it.
      const lateHolder =
        pair.status === "retired" &&
        label.source === "human" &&
        (await db.lease.count({ where: { pairId: label.pairId, userId: label.userId!, labelId: null } })) > 0;
      if (pair.status !== "open" && !lateHolder) return refuse(new AppError("PAIR_CLOSED", `pair ${label.pairId} is ${pair.status}`));
      if (label.source === "human" && pair.experiment.labellingMode === "synthetic") {
        return refuse(new AppError("FORBIDDEN", `experiment ${label.experimentId} is labelled by its synthetic teacher only`));
      }

      try {
        if (label.source === "human" && label.choice !== "skip" && dialectOf(db) === "postgresql") {
          return await recordDecidedHumanInOneStatement(db, label, label.userId!, now);
        }
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

type DecidedRow = { createdAt: Date; id: string; status: PairProgress["status"]; labelsDone: number; labelsWanted: number };

/**
 * PostgreSQL: recordHuman's decided label (not a skip) as ONE statement, so it costs one round trip instead of a
 * transaction's six to eight (the label path's cost on PostgreSQL is its number of statements). A statement is atomic
 * on its own. Same effects as recordHuman: the user's lease on the pair is consumed, the label stored, their count and
 * the pair's labelsDone incremented, the k-th label closes the pair and the experiment has one open pair fewer.
 * `before` locks the pair row first, so its status is the latest committed one (not the statement's snapshot): the
 * pair is counted closed exactly when this label moved it from open to done, as updateMany's count does on SQLite.
 * Nothing is written when the user holds no lease on the pair (no row comes back); foreign keys are checked at the
 * statement's end, after the label exists.
 */
async function recordDecidedHumanInOneStatement(db: Db, label: ValidLabel, userId: string, now: Date): Promise<RecordLabelResult> {
  const rows = await db.$queryRaw<DecidedRow[]>`
    WITH before AS (
      SELECT "status" FROM "Pair" WHERE "id" = ${label.pairId} FOR UPDATE
    ), consumed AS (
      UPDATE "Lease" SET "labelId" = ${label.labelId}
      WHERE "pairId" = ${label.pairId} AND "userId" = ${userId} AND "labelId" IS NULL
      RETURNING "pairId"
    ), stored AS (
      INSERT INTO "Label" ("id", "pairId", "source", "userId", "teacher", "choice", "responseMs", "createdAt")
      SELECT ${label.labelId}, ${label.pairId}, 'human', ${userId}, NULL, CAST(${label.choice} AS "Choice"), ${label.responseMs ?? null}::int, ${now}
      FROM consumed LIMIT 1
      RETURNING "createdAt"
    ), counted AS (
      INSERT INTO "LabellerCount" ("experimentId", "userId", "labels")
      SELECT ${label.experimentId}, ${userId}, 1 FROM stored
      ON CONFLICT ("experimentId", "userId") DO UPDATE SET "labels" = "LabellerCount"."labels" + 1
    ), pair AS (
      UPDATE "Pair" p
      SET "labelsDone" = p."labelsDone" + 1,
          "status" = CASE WHEN p."status" = 'open' AND p."labelsDone" + 1 >= p."labelsWanted" THEN 'done' ELSE p."status" END
      FROM before
      WHERE p."id" = ${label.pairId} AND EXISTS (SELECT 1 FROM stored)
      RETURNING p."id", p."status", p."labelsDone", p."labelsWanted", before."status" AS "statusBefore"
    ), closed AS (
      UPDATE "Experiment" SET "openPairs" = "openPairs" - 1
      WHERE "id" = ${label.experimentId} AND EXISTS (SELECT 1 FROM pair WHERE pair."statusBefore" = 'open' AND pair."status" = 'done')
    )
    SELECT stored."createdAt", pair."id", pair."status"::text AS "status", pair."labelsDone", pair."labelsWanted" FROM stored, pair`;
  const row = rows[0];
  if (!row) {
    // Nothing written: say why, as recordHuman does (its label insert fails first for an unknown user).
    if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw new AppError("NOT_FOUND", `user ${userId} not found`);
    throw await noLease(db, label.pairId, userId, label.labelId);
  }
  return {
    label: {
      id: label.labelId,
      pairId: label.pairId,
      source: "human",
      userId,
      teacher: null,
      choice: label.choice,
      responseMs: label.responseMs ?? null,
      createdAt: row.createdAt,
    },
    pair: { id: row.id, status: row.status, labelsDone: row.labelsDone, labelsWanted: row.labelsWanted },
    replayed: false,
  };
}
