// The labelling queue: who gets which pair, and how a label is recorded.
//
// Leases are slots (see the Lease model): a pair with k = labelsWanted has slots 0..k-1, and
// the database's unique (pairId, slot) decides races, so no pair is ever held by more than
// k people, on SQLite or PostgreSQL, without row locks. Taking a slot is one INSERT that
// either succeeds or hits the constraint, after which the next candidate is tried.
//
// Rules:
// - nextPair gives the user the pair they already hold (lease extended), else the
//   highest-priority open pair they have not labelled (or skipped) that has a free slot.
//   A slot whose lease expired is free again (the pair returns to the pool).
// - A human label needs the user's lease on the pair. A lease that expired but that nobody
//   took over still counts: the late label is accepted rather than lost.
// - A skip is recorded, releases the slot, and does not count towards labelsDone.
// - The k-th non-skip label closes the pair (status done).
// - Synthetic labels need no lease; they take a free slot themselves, so a pair never
//   collects more than k labels, whoever gives them.
// - Retrying with the same labelId returns the stored label; the same id with different
//   content is a CONFLICT. Every refusal is an AppError and writes nothing.
import "server-only";
import { z } from "zod";
import { decodeSteps, type TrajectorySteps } from "../db/codec";
import { TX_OPTIONS, type Db, type Tx } from "../db/client";
import { isForeignKeyViolation, isTransient, isUniqueViolation, withRetry } from "../db/errors";
import { AppError, parseInput } from "../errors";
import {
  nextPairSchema,
  recordIdSchema,
  recordLabelSchema,
  type NextPairInput,
  type RecordLabelInput,
} from "../../schemas/label";

const CANDIDATES_PER_PAGE = 32;
const MAX_CANDIDATE_PAGES = 20;
const MAX_CANDIDATE_ROUNDS = 20;

export type TrajectoryView = TrajectorySteps & {
  id: string;
  round: number;
  policyVersion: number;
  return: number;
  length: number;
  success: boolean;
};

export type LeasedPair = {
  pairId: string;
  experimentId: string;
  selection: string;
  priority: number;
  labelsWanted: number;
  labelsDone: number;
  lease: { slot: number; expiresAt: Date };
  left: TrajectoryView;
  right: TrajectoryView;
};

const trajectorySelect = {
  id: true,
  round: true,
  policyVersion: true,
  actions: true,
  cells: true,
  rewards: true,
  return: true,
  length: true,
  success: true,
} as const;

export function toTrajectoryView(row: {
  id: string;
  round: number;
  policyVersion: number;
  actions: Uint8Array;
  cells: Uint8Array;
  rewards: Uint8Array;
  return: number;
  length: number;
  success: boolean;
}): TrajectoryView {
  const { actions, cells, rewards, ...rest } = row;
  return { ...rest, ...decodeSteps({ actions, cells, rewards }) };
}

type SlotRow = { slot: number; expiresAt: Date; labelId: string | null; userId?: string | null };

/**
 * A slot that can be taken now, or null: one never used first, then one whose lease
 * expired (so a late labeller keeps their chance while an unused slot exists).
 */
export function freeSlot(labelsWanted: number, leases: SlotRow[], now: Date): number | null {
  const bySlot = new Map(leases.map((l) => [l.slot, l]));
  let expired: number | null = null;
  for (let slot = 0; slot < labelsWanted; slot++) {
    const lease = bySlot.get(slot);
    if (!lease) return slot;
    if (expired === null && lease.labelId === null && lease.expiresAt <= now) expired = slot;
  }
  return expired;
}

async function loadExperiment(db: Db | Tx, experimentId: string) {
  const experiment = await db.experiment.findUnique({
    where: { id: experimentId },
    select: { id: true, labellingMode: true },
  });
  if (!experiment) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  return experiment;
}

async function userExists(db: Db | Tx, userId: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}

const pairSummarySelect = {
  id: true,
  experimentId: true,
  leftId: true,
  rightId: true,
  selection: true,
  priority: true,
  labelsWanted: true,
  labelsDone: true,
} as const;
type PairSummary = { id: string; experimentId: string; leftId: string; rightId: string; selection: string; priority: number; labelsWanted: number; labelsDone: number };

/** The leased pair with both trajectories decoded (one query for the two trajectories). */
async function withTrajectories(db: Db, pair: PairSummary, lease: LeasedPair["lease"]): Promise<LeasedPair> {
  const rows = await db.trajectory.findMany({ where: { id: { in: [pair.leftId, pair.rightId] } }, select: trajectorySelect });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const left = byId.get(pair.leftId);
  const right = byId.get(pair.rightId);
  if (!left || !right) throw new AppError("NOT_FOUND", `a trajectory of pair ${pair.id} is gone`);
  return {
    pairId: pair.id,
    experimentId: pair.experimentId,
    selection: pair.selection,
    priority: pair.priority,
    labelsWanted: pair.labelsWanted,
    labelsDone: pair.labelsDone,
    lease,
    left: toTrajectoryView(left),
    right: toTrajectoryView(right),
  };
}

/**
 * Tries to take `slot` of the pair for the user. False when someone else got there first.
 * Statements run outside a transaction on purpose: the INSERT is the atomic step, and on
 * PostgreSQL a constraint failure inside a transaction would abort all of it.
 */
async function takeSlot(
  db: Db,
  candidate: { id: string; leases: SlotRow[] },
  slot: number,
  userId: string,
  expiresAt: Date,
  now: Date,
): Promise<boolean> {
  // An abandoned lease in that slot, or the user's own expired one on this pair, is in the
  // way: remove it first (only when the candidate read showed one: saves a round trip).
  if (candidate.leases.some((l) => l.slot === slot || l.userId === userId)) {
    await db.lease.deleteMany({
      where: { pairId: candidate.id, labelId: null, expiresAt: { lte: now }, OR: [{ slot }, { userId }] },
    });
  }
  try {
    await db.lease.create({ data: { pairId: candidate.id, slot, userId, expiresAt } });
    return true;
  } catch (err) {
    if (isUniqueViolation(err, "Lease")) return false;
    if (isForeignKeyViolation(err)) {
      if (!(await userExists(db, userId))) throw new AppError("NOT_FOUND", `user ${userId} not found`);
      return false; // the pair was deleted meanwhile
    }
    throw err;
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

type Candidate = PairSummary & { slot: number; leases: SlotRow[] };

/** Open pairs the user has not labelled or skipped that have a free slot now, best first. */
async function findCandidates(db: Db, experimentId: string, userId: string, now: Date): Promise<Candidate[]> {
  for (let page = 0; page < MAX_CANDIDATE_PAGES; page++) {
    const pairs = await db.pair.findMany({
      where: { experimentId, status: "open", labels: { none: { userId } } },
      orderBy: [{ priority: "desc" }, { createdAt: "asc" }, { id: "asc" }],
      skip: page * CANDIDATES_PER_PAGE,
      take: CANDIDATES_PER_PAGE,
      select: {
        ...pairSummarySelect,
        leases: { select: { slot: true, userId: true, expiresAt: true, labelId: true } },
      },
    });
    const free: Candidate[] = [];
    for (const pair of pairs) {
      const slot = freeSlot(pair.labelsWanted, pair.leases, now);
      if (slot !== null) free.push({ ...pair, slot });
    }
    if (free.length > 0 || pairs.length < CANDIDATES_PER_PAGE) return free;
  }
  return [];
}

/**
 * Leases the next pair for a human labeller, or returns null when nothing is left for them.
 * Calling it again while holding a lease returns the same pair with the lease extended.
 */
export async function nextPair(db: Db, input: NextPairInput, now = new Date()): Promise<LeasedPair | null> {
  const { experimentId, userId, leaseMs } = parseInput(nextPairSchema, input, "next-pair request");
  const experiment = await loadExperiment(db, experimentId);
  if (experiment.labellingMode === "synthetic") {
    throw new AppError("FORBIDDEN", `experiment ${experimentId} is labelled by its synthetic teacher only`);
  }
  const expiresAt = new Date(now.getTime() + leaseMs);

  // The user's live leases (normally none or one), found by the (userId, expiresAt) index;
  // experiment and status are checked here rather than joined, so the plan cannot go wrong.
  const live = await db.lease.findMany({
    where: { userId, labelId: null, expiresAt: { gt: now } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, slot: true, pair: { select: { ...pairSummarySelect, status: true } } },
  });
  const held = live.find((l) => l.pair.experimentId === experimentId && l.pair.status === "open");
  if (held) {
    await db.lease.updateMany({ where: { id: held.id, labelId: null }, data: { expiresAt } });
    return withTrajectories(db, held.pair, { slot: held.slot, expiresAt });
  }

  // Everyone reads the same best pairs, so under load several labellers race for each one.
  // The best is tried first; a loser then tries the others in random order, which spreads
  // the herd instead of having it collide again on the next-best. If others took every
  // candidate meanwhile, read again: "nothing left" is only said from a fresh read.
  for (let round = 0; round < MAX_CANDIDATE_ROUNDS; round++) {
    const candidates = await findCandidates(db, experimentId, userId, now);
    if (candidates.length === 0) {
      if (!(await userExists(db, userId))) throw new AppError("NOT_FOUND", `user ${userId} not found`);
      return null;
    }
    const [best, ...rest] = candidates;
    for (const candidate of [best, ...shuffle(rest)]) {
      if (await takeSlot(db, candidate, candidate.slot, userId, expiresAt, now)) {
        return withTrajectories(db, candidate, { slot: candidate.slot, expiresAt });
      }
    }
  }
  throw new AppError("CONFLICT", "the labelling queue is too busy right now: try again", { retry: true });
}

/** Gives up a lease without labelling (e.g. the labeller logs out); the pair returns to the pool. */
export async function releaseLease(db: Db, input: { pairId: string; userId: string }): Promise<boolean> {
  const pairId = parseInput(recordIdSchema, input.pairId, "pair id");
  const userId = parseInput(recordIdSchema, input.userId, "user id");
  const { count } = await db.lease.deleteMany({ where: { pairId, userId, labelId: null } });
  return count > 0;
}

export type StoredLabel = {
  id: string;
  pairId: string;
  source: "human" | "synthetic";
  userId: string | null;
  teacher: string | null;
  choice: "left" | "right" | "equal" | "skip";
  responseMs: number | null;
  createdAt: Date;
};

export type PairProgress = { id: string; status: "open" | "done" | "retired"; labelsDone: number; labelsWanted: number };

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

/** Counts one more non-skip label; the k-th closes the pair. */
async function countLabel(tx: Tx, pairId: string): Promise<PairProgress> {
  const pair = await tx.pair.update({
    where: { id: pairId },
    data: { labelsDone: { increment: 1 } },
    select: pairProgressSelect,
  });
  if (pair.labelsDone >= pair.labelsWanted && pair.status === "open") {
    return tx.pair.update({ where: { id: pairId }, data: { status: "done" }, select: pairProgressSelect });
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
  return { label: stored, pair: await countLabel(tx, label.pairId), replayed: false };
}

/** Why the user holds no lease on the pair: they labelled it already (CONFLICT), or they never had / lost it. */
async function noLease(tx: Tx, pairId: string, userId: string, newLabelId: string): Promise<AppError> {
  const earlier = await tx.label.findFirst({
    where: { pairId, userId, choice: { not: "skip" }, id: { not: newLabelId } },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  return earlier
    ? new AppError("CONFLICT", `user ${userId} already labelled pair ${pairId}`, { labelId: earlier.id })
    : leaseRequired(pairId, userId);
}

function leaseRequired(pairId: string, userId: string): AppError {
  return new AppError(
    "LEASE_REQUIRED",
    `pair ${pairId} is not leased to user ${userId} (never taken, or the lease expired and someone else took it)`,
  );
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
  return { label: stored, pair: await countLabel(tx, label.pairId), replayed: false };
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
      if (pair.status !== "open") throw new AppError("PAIR_CLOSED", `pair ${label.pairId} is ${pair.status}`);
      if (label.source === "human" && pair.experiment.labellingMode === "synthetic") {
        throw new AppError("FORBIDDEN", `experiment ${label.experimentId} is labelled by its synthetic teacher only`);
      }

      try {
        return await db.$transaction(
          (tx) =>
            label.source === "human"
              ? recordHuman(tx, label, label.userId!)
              : recordSynthetic(tx, label, pair.labelsWanted, now),
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
    (err) => isTransient(err) || isUniqueViolation(err, "Lease"),
  );
}

export type WaitingPair = { id: string; priority: number; createdAt: Date; labelsWanted: number };

/**
 * Mixed mode: open pairs that have waited longer than `olderThanMs` without any label
 * counted and that nobody is holding right now, highest priority first. The synthetic
 * teacher takes these (recordLabel with source 'synthetic').
 */
export async function pairsWaitingTooLong(
  db: Db,
  experimentId: string,
  olderThanMs: number,
  options: { now?: Date; limit?: number } = {},
): Promise<WaitingPair[]> {
  parseInput(recordIdSchema, experimentId, "experiment id");
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new AppError("VALIDATION", "olderThanMs must be a number of milliseconds >= 0");
  }
  const now = options.now ?? new Date();
  return db.pair.findMany({
    where: {
      experimentId,
      status: "open",
      labelsDone: 0,
      createdAt: { lte: new Date(now.getTime() - olderThanMs) },
      leases: { none: { labelId: null, expiresAt: { gt: now } } },
    },
    orderBy: [{ priority: "desc" }, { createdAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 100,
    select: { id: true, priority: true, createdAt: true, labelsWanted: true },
  });
}
