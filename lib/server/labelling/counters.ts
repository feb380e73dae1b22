// The queue's counts, kept as they change instead of counted on every label request (issue 12: two COUNTs over the
// queue cost ~45 ms of database time per label at 20,000 open pairs). Every writer of a pair's status or of a
// person's label calls these inside the same transaction as its write, with atomic increments, so concurrent
// writers never lose an update. `recountQueue` is the slow truth they must always equal (tests compare the two).
import "server-only";
import type { DbOrTx } from "../db/client";

/** Experiment.openPairs += delta (pairs created open, or leaving/entering status open). */
export async function addOpenPairs(tx: DbOrTx, experimentId: string, delta: number): Promise<void> {
  if (delta === 0) return;
  // updateMany: no RETURNING of the whole row (its config is kilobytes) for a counter nobody reads here.
  await tx.experiment.updateMany({ where: { id: experimentId }, data: { openPairs: { increment: delta } } });
}

/**
 * One more decided (non-skip) label by the user in the experiment. INSERT ... ON CONFLICT is the same SQL on
 * SQLite and PostgreSQL and is atomic on both: two first labels at once cannot both create the row.
 */
export async function addLabellerLabels(tx: DbOrTx, experimentId: string, userId: string, delta = 1): Promise<void> {
  if (delta === 0) return;
  await tx.$executeRaw`INSERT INTO "LabellerCount" ("experimentId", "userId", "labels") VALUES (${experimentId}, ${userId}, ${delta})
    ON CONFLICT ("experimentId", "userId") DO UPDATE SET "labels" = "LabellerCount"."labels" + ${delta}`;
}

/** Decided labels per user of a batch of label rows (imports): the input of addLabellerLabels. */
export function decidedByUser(labels: Array<{ userId: string | null; choice: string }>): Map<string, number> {
  const by = new Map<string, number>();
  for (const l of labels) if (l.userId && l.choice !== "skip") by.set(l.userId, (by.get(l.userId) ?? 0) + 1);
  return by;
}

/** What the counters are read for: the experiment's open pairs and one person's decided labels in it (one statement on PostgreSQL). */
export async function readQueueCounts(db: DbOrTx, experimentId: string, userId: string): Promise<{ openPairs: number; labelledByYou: number }> {
  const experiment = await db.experiment.findUnique({
    where: { id: experimentId },
    select: { openPairs: true, labellerCounts: { where: { userId }, select: { labels: true } } },
  });
  return { openPairs: experiment?.openPairs ?? 0, labelledByYou: experiment?.labellerCounts[0]?.labels ?? 0 };
}

/** The counts recomputed from the rows (slow: it reads the whole queue). Tests check the kept counters against it. */
export async function recountQueue(db: DbOrTx, experimentId: string): Promise<{ openPairs: number; labelsByUser: Record<string, number> }> {
  const [openPairs, byUser] = await Promise.all([
    db.pair.count({ where: { experimentId, status: "open" } }),
    db.label.groupBy({ by: ["userId"], where: { pair: { experimentId }, userId: { not: null }, choice: { not: "skip" } }, _count: { _all: true } }),
  ]);
  return { openPairs, labelsByUser: Object.fromEntries(byUser.map((r) => [r.userId!, r._count._all])) };
}

/** The kept counters of the experiment, in the shape of recountQueue (users with 0 labels left out). */
export async function keptQueueCounts(db: DbOrTx, experimentId: string): Promise<{ openPairs: number; labelsByUser: Record<string, number> }> {
  const [experiment, rows] = await Promise.all([
    db.experiment.findUniqueOrThrow({ where: { id: experimentId }, select: { openPairs: true } }),
    db.labellerCount.findMany({ where: { experimentId, labels: { not: 0 } }, select: { userId: true, labels: true } }),
  ]);
  return { openPairs: experiment.openPairs, labelsByUser: Object.fromEntries(rows.map((r) => [r.userId, r.labels])) };
}
