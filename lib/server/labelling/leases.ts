// Leases: who holds which slot of which pair. See queue.ts for the rules.
import "server-only";
import { TX_OPTIONS, type Db, type DbOrTx, type Tx } from "../db/client";
// The SQL template the generated clients use, from their runtime: loading the PostgreSQL client itself is left to db/client.ts.
import { empty, sqltag as sql } from "@prisma/client/runtime/client";
import { dialectOf } from "../db/dialect";
import { isForeignKeyViolation, isUniqueViolation } from "../db/errors";
import { AppError, parseInput } from "../errors";
import { idSchema } from "../../contracts/ids";
import { nextPairSchema, type NextPairInput } from "../../contracts/label";
import { GOLD_SELECTION } from "../../contracts/words";
import { experimentFacts } from "./experiment-facts";
import { openForUser, pairSummarySelect, QUEUE_ORDER, withTrajectories, type LeasedPair, type PairSummary } from "./views";

const CANDIDATES_PER_PAGE = 32;
const MAX_CANDIDATE_PAGES = 20;
const MAX_CANDIDATE_ROUNDS = 20;
/** Locked candidates one PostgreSQL lease transaction looks at before giving up (each is normally the first). */
const MAX_LOCKED_TRIES = 8;

/**
 * How often two labellers raced for the same slot and one had to try again (the database's unique (pairId, slot)
 * refused its lease). Module-level so the load test and the tests can read it; only ever grows.
 */
export const leaseRaces = { uniqueRetries: 0 };

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

async function userExists(db: DbOrTx, userId: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}

/**
 * Tries to take `slot` of the pair for the user. False when someone else got there first.
 * Statements run outside a transaction on purpose: the INSERT is the atomic step, and on
 * PostgreSQL a constraint failure inside a transaction would abort all of it.
 */
async function takeSlot(db: Db, candidate: { id: string; leases: SlotRow[] }, slot: number, userId: string, expiresAt: Date, now: Date): Promise<boolean> {
  // Marked before the first await, so a request of this process that reads the same candidates meanwhile tries others first.
  takingNow.set(candidate.id, (takingNow.get(candidate.id) ?? 0) + 1);
  try {
    return await insertSlot(db, candidate, slot, userId, expiresAt, now);
  } finally {
    const n = takingNow.get(candidate.id)! - 1;
    if (n === 0) takingNow.delete(candidate.id);
    else takingNow.set(candidate.id, n);
  }
}

/**
 * SQLite path: pairs some request of this process is taking a slot of right now (pair id -> how many). SQLite has one
 * writer, so the app's requests are its usual concurrent labellers: passing over these first does in-process what
 * SKIP LOCKED does on PostgreSQL, instead of everyone racing for the best pair.
 */
const takingNow = new Map<string, number>();

async function insertSlot(db: Db, candidate: { id: string; leases: SlotRow[] }, slot: number, userId: string, expiresAt: Date, now: Date): Promise<boolean> {
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
    if (isUniqueViolation(err, "Lease")) {
      leaseRaces.uniqueRetries++;
      return false;
    }
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

/**
 * Open pairs the user has not labelled or skipped, does not hold, and that have a free slot now, best first (the first
 * page of the queue that has any). Pages on past the pairs others hold: with more labellers than a page, the head of
 * the queue is all held. `exclude`: pairs to pass over (the one on the labeller's screen, for its preload).
 */
async function findCandidates(db: DbOrTx, experimentId: string, userId: string, now: Date, exclude: string[] = []): Promise<Candidate[]> {
  for (let page = 0; page < MAX_CANDIDATE_PAGES; page++) {
    const pairs = await db.pair.findMany({
      where: { ...openForUser(experimentId, userId), ...(exclude.length ? { id: { notIn: exclude } } : {}) },
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
      const held = pair.leases.some((l) => l.userId === userId && l.labelId === null && l.expiresAt > now);
      if (slot !== null && !held) free.push({ ...pair, slot });
    }
    if (free.length > 0 || pairs.length < CANDIDATES_PER_PAGE) return free;
  }
  return [];
}

type LockedRow = { id: string };

/**
 * PostgreSQL: the best open pair with a free slot that the user has neither labelled nor holds. The query walks the
 * queue index in order and stops at the first row that passes (its cost is bounded by the pairs held or labelled above
 * it, not by the queue's size). `lock`: FOR UPDATE SKIP LOCKED, so a pair another labeller is taking right now is
 * passed over instead of raced for; without it, a plain read (the preload's peek). `onlyPairId` restricts it to the
 * pair the page preloaded.
 */
function bestPairQuery(experimentId: string, userId: string, now: Date, passed: string[], onlyPairId: string | undefined, lock: boolean) {
  return sql`
    SELECT p."id" FROM "Pair" p
    WHERE p."experimentId" = ${experimentId} AND p."status" = 'open'
      AND (${onlyPairId ?? null}::text IS NULL OR p."id" = ${onlyPairId ?? null}::text)
      AND NOT (p."id" = ANY(${passed}::text[]))
      AND NOT EXISTS (SELECT 1 FROM "Label" l WHERE l."pairId" = p."id" AND l."userId" = ${userId})
      AND NOT EXISTS (SELECT 1 FROM "Lease" h WHERE h."pairId" = p."id" AND h."userId" = ${userId} AND h."labelId" IS NULL AND h."expiresAt" > ${now})
      AND (SELECT COUNT(*) FROM "Lease" s WHERE s."pairId" = p."id" AND (s."labelId" IS NOT NULL OR s."expiresAt" > ${now})) < p."labelsWanted"
    ORDER BY p."priority" DESC, p."createdAt" ASC, p."id" ASC
    LIMIT 1
    ${lock ? sql`FOR UPDATE OF p SKIP LOCKED` : empty}`;
}

async function lockBestPair(tx: Tx, experimentId: string, userId: string, now: Date, passed: string[], onlyPairId?: string): Promise<string | null> {
  const rows = await tx.$queryRaw<LockedRow[]>(bestPairQuery(experimentId, userId, now, passed, onlyPairId, true));
  return rows[0]?.id ?? null;
}

/**
 * The pair the user's next lease would take now, without taking it (the pair a labeller's screen preloads): the
 * lease path's own choice, past however many pairs other people hold at the head of the queue. Null when none is left.
 */
export async function bestFreePairId(db: DbOrTx, experimentId: string, userId: string, now: Date, exclude: string[]): Promise<string | null> {
  if (dialectOf(db) === "postgresql") {
    const rows = await db.$queryRaw<LockedRow[]>(bestPairQuery(experimentId, userId, now, exclude, undefined, false));
    return rows[0]?.id ?? null;
  }
  const [best] = await findCandidates(db, experimentId, userId, now, exclude);
  return best?.id ?? null;
}

/**
 * PostgreSQL: takes a slot of the best pair in one transaction holding the pair's row lock. Everyone who wants that
 * pair meanwhile skips to the next one; whoever locks it after we commit reads our lease (a new statement sees
 * committed rows), so the slot INSERT does not hit the unique constraint in the normal course. `preferPairId` (the
 * pair the page preloaded) is tried first in the same transaction: under load someone else often took it.
 */
async function takeLockedSlot(db: Db, experimentId: string, userId: string, expiresAt: Date, now: Date, preferPairId?: string) {
  return db.$transaction(async (tx) => {
    const passed: string[] = [];
    let only = preferPairId;
    for (let i = 0; i < MAX_LOCKED_TRIES; i++) {
      const id = await lockBestPair(tx, experimentId, userId, now, passed, only);
      const wasPreferred = only !== undefined;
      only = undefined;
      if (id === null) {
        if (wasPreferred) continue;
        return null;
      }
      const pair = await pairWithSlots(tx, id);
      if (!pair) throw new Error(`pair ${id} vanished under its row lock`);
      const slot = freeSlot(pair.labelsWanted, pair.leases, now);
      if (slot === null || pair.leases.some((l) => l.userId === userId && (l.labelId !== null || l.expiresAt > now))) {
        passed.push(id);
        continue;
      }
      if (pair.leases.some((l) => l.slot === slot || l.userId === userId)) {
        await tx.lease.deleteMany({ where: { pairId: id, labelId: null, expiresAt: { lte: now }, OR: [{ slot }, { userId }] } });
      }
      await tx.lease.create({ data: { pairId: id, slot, userId, expiresAt } });
      return { pair: pair as PairSummary, slot };
    }
    // Every locked candidate was taken between our read and our lock: say "try again", never "nothing left".
    return "raced" as const;
  }, TX_OPTIONS);
}

/** takeLockedSlot, counting a lost race (a lease writer that does not lock the pair: gold, synthetic) as a retry. */
async function takeLockedSlotCounted(db: Db, experimentId: string, userId: string, expiresAt: Date, now: Date, preferPairId?: string) {
  try {
    return await takeLockedSlot(db, experimentId, userId, expiresAt, now, preferPairId);
  } catch (err) {
    if (isUniqueViolation(err, "Lease")) {
      leaseRaces.uniqueRetries++;
      return "raced" as const;
    }
    if (isForeignKeyViolation(err) && !(await userExists(db, userId))) throw new AppError("NOT_FOUND", `user ${userId} not found`);
    throw err;
  }
}

/** The PostgreSQL path of nextPair after the held-lease check (see takeLockedSlot). */
async function nextPairLocked(db: Db, experimentId: string, userId: string, expiresAt: Date, now: Date, preferPairId?: string): Promise<LeasedPair | null> {
  for (let round = 0; round < MAX_CANDIDATE_ROUNDS; round++) {
    const got = await takeLockedSlotCounted(db, experimentId, userId, expiresAt, now, round === 0 ? preferPairId : undefined);
    if (got === "raced") continue;
    if (got) return withTrajectories(db, got.pair, { slot: got.slot, expiresAt });
    if (!(await userExists(db, userId))) throw new AppError("NOT_FOUND", `user ${userId} not found`);
    return null;
  }
  throw new AppError("CONFLICT", "the labelling queue is too busy right now: try again", { retry: true });
}

/** A pair's summary and its slots' leases (read under the pair's row lock on PostgreSQL). */
function pairWithSlots(db: DbOrTx, pairId: string) {
  return db.pair.findUnique({
    where: { id: pairId },
    select: { ...pairSummarySelect, leases: { select: { slot: true, userId: true, expiresAt: true, labelId: true } } },
  });
}

/** The user's live leases, oldest first, with their pairs. */
function liveLeases(db: DbOrTx, userId: string, now: Date) {
  return db.lease.findMany({
    where: { userId, labelId: null, expiresAt: { gt: now } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, slot: true, expiresAt: true, pair: { select: { ...pairSummarySelect, status: true } } },
  });
}

/**
 * The lease path's statements for ids that match no row (reads, and an update of no row): a starting instance runs
 * them so their query plans are compiled before its first labeller waits (see lib/server/warm.ts).
 */
export async function warmLeaseQueries(db: Db, none: string): Promise<void> {
  const now = new Date();
  await liveLeases(db, none, now);
  await pairWithSlots(db, none);
  await db.lease.updateMany({ where: { id: none, labelId: null }, data: { expiresAt: now } });
}

/** Another live lease of the user in the same experiment (a gold pair leased to them as their upcoming one). */
export type OtherLease = { pair: PairSummary; slot: number; expiresAt: Date };

/** The leased pair, and the user's other live lease in the experiment, read by the same statement (the screen's upcoming pair). */
export type NextLease = LeasedPair & { otherLease: OtherLease | null };

/**
 * Leases the next pair for a human labeller, or returns null when nothing is left for them.
 * Calling it again while holding a lease returns the same pair with the lease extended.
 * `preferPairId` (the pair the page preloaded) is taken first when it is free for the user.
 */
export async function nextPair(db: Db, input: NextPairInput, now = new Date(), preferPairId?: string): Promise<NextLease | null> {
  const { experimentId, userId, leaseMs } = parseInput(nextPairSchema, input, "next-pair request");
  // The mode from the per-process facts (NOT_FOUND for no such experiment); a label is always checked afresh.
  const { labellingMode } = await experimentFacts(db, experimentId);
  if (labellingMode === "synthetic") {
    throw new AppError("FORBIDDEN", `experiment ${experimentId} is labelled by its synthetic teacher only`);
  }
  const expiresAt = new Date(now.getTime() + leaseMs);

  // The user's live leases (normally none or one), found by the (userId, expiresAt) index;
  // experiment and status are checked here rather than joined, so the plan cannot go wrong.
  const live = await liveLeases(db, userId, now);
  const mine = live.filter((l) => l.pair.experimentId === experimentId && l.pair.status === "open");
  const [held, other] = mine;
  if (held) {
    await db.lease.updateMany({ where: { id: held.id, labelId: null }, data: { expiresAt } });
    const otherLease = other ? { pair: other.pair, slot: other.slot, expiresAt: other.expiresAt } : null;
    return { ...(await withTrajectories(db, held.pair, { slot: held.slot, expiresAt })), otherLease };
  }
  const leased = await leaseNewPair(db, experimentId, userId, expiresAt, now, preferPairId);
  return leased && { ...leased, otherLease: null };
}

/** nextPair once the user holds no lease in the experiment: a new lease on the best pair they can take. */
async function leaseNewPair(db: Db, experimentId: string, userId: string, expiresAt: Date, now: Date, preferPairId?: string): Promise<LeasedPair | null> {
  if (dialectOf(db) === "postgresql") return nextPairLocked(db, experimentId, userId, expiresAt, now, preferPairId);

  // SQLite (one writer at a time). The pair the labeller's page already shows as the next one, when it is still free for them.
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
    const order = [best, ...shuffle(rest)];
    // Pairs another request of this process is taking go last (stable: the best stays first among the others).
    for (const candidate of [...order.filter((c) => !takingNow.has(c.id)), ...order.filter((c) => takingNow.has(c.id))]) {
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
