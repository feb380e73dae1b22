// Leases: who holds which slot of which pair. See queue.ts for the rules.
import "server-only";
import type { Db, DbOrTx } from "../db/client";
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { AppError, parseInput } from "../errors";
import { idSchema } from "../../contracts/ids";
import { nextPairSchema, type NextPairInput } from "../../contracts/label";
import { GOLD_SELECTION } from "../../contracts/words";
import { openForUser, pairSummarySelect, QUEUE_ORDER, withTrajectories, type LeasedPair, type PairSummary } from "./views";

const CANDIDATES_PER_PAGE = 32;
const MAX_CANDIDATE_PAGES = 20;
const MAX_CANDIDATE_ROUNDS = 20;

export type SlotRow = { slot: number; expiresAt: Date; labelId: string | null; userId?: string | null };

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

async function loadExperiment(db: DbOrTx, experimentId: string) {
  const experiment = await db.experiment.findUnique({
    where: { id: experimentId },
    select: { id: true, labellingMode: true },
  });
  if (!experiment) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  return experiment;
}

async function userExists(db: DbOrTx, userId: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}

/**
 * Tries to take `slot` of the pair for the user. False when someone else got there first.
 * Statements run outside a transaction on purpose: the INSERT is the atomic step, and on
 * PostgreSQL a constraint failure inside a transaction would abort all of it.
 */
async function takeSlot(db: Db, candidate: { id: string; leases: SlotRow[] }, slot: number, userId: string, expiresAt: Date, now: Date): Promise<boolean> {
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
      where: openForUser(experimentId, userId),
      orderBy: [...QUEUE_ORDER],
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
 * `preferPairId` (the pair the page preloaded) is taken first when it is free for the user.
 */
export async function nextPair(db: Db, input: NextPairInput, now = new Date(), preferPairId?: string): Promise<LeasedPair | null> {
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

  // The pair the labeller's page already shows as the next one, when it is still free for them.
  if (preferPairId) {
    const preferred = await db.pair.findFirst({
      where: { ...openForUser(experimentId, userId), id: preferPairId },
      select: { ...pairSummarySelect, leases: { select: { slot: true, userId: true, expiresAt: true, labelId: true } } },
    });
    const slot = preferred ? freeSlot(preferred.labelsWanted, preferred.leases, now) : null;
    if (preferred && slot !== null && (await takeSlot(db, preferred, slot, userId, expiresAt, now))) {
      return withTrajectories(db, preferred, { slot, expiresAt });
    }
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
  const pairId = parseInput(idSchema, input.pairId, "pair id");
  const userId = parseInput(idSchema, input.userId, "user id");
  const { count } = await db.lease.deleteMany({ where: { pairId, userId, labelId: null } });
  return count > 0;
}

export type WaitingPair = { id: string; priority: number; createdAt: Date; labelsWanted: number };

/**
 * Mixed mode: open pairs that have waited longer than `olderThanMs` without any label
 * counted and that nobody is holding right now, highest priority first. The round runner's
 * teacher takes these (people first: the teacher only labels what they left).
 */
export async function pairsWaitingTooLong(
  db: Db,
  experimentId: string,
  olderThanMs: number,
  options: { now?: Date; limit?: number; round?: number } = {},
): Promise<WaitingPair[]> {
  parseInput(idSchema, experimentId, "experiment id");
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
      // One round's pairs (made from its episodes), gold pairs never: they are for people.
      ...(options.round !== undefined ? { left: { round: options.round } } : {}),
      selection: { not: GOLD_SELECTION },
    },
    orderBy: [...QUEUE_ORDER],
    take: options.limit ?? 100,
    select: { id: true, priority: true, createdAt: true, labelsWanted: true },
  });
}
