// Gold pairs: known-answer pairs (the maze's exact truth decides them) mixed into one labeller's queue at the
// experiment's goldRate. They measure the person and never train: round counts, training reads and the teacher
// all leave pairs with the gold selection out.
//
// Rules:
// - Whether the labeller's next pair is gold is drawn from a generator seeded by the user, the experiment and how
//   many labels they gave there, so the same history gives the same draw.
// - A gold pair is two of the experiment's stored runs whose truth is not "equal", wants one label, and is leased
//   to the labeller at once (it shows as their upcoming pair); a lease that runs out frees it for anyone.
import "server-only";
import { Rng } from "../../rng";
import { distancesToGoal, judgeByTruth, parseLayout } from "../../maze";
import { decodeCells } from "../db/codec";
import type { Db } from "../db/client";
import { uuidv7 } from "../db/ids";
import { experimentFacts } from "./experiment-facts";
import { addOpenPairs } from "./counters";
import { trajectorySelect } from "./views";
import { DEFAULT_LEASE_MS } from "../../contracts/label";
import { GOLD_SELECTION } from "../../contracts/words";

/** Runs a gold pair is drawn from: the experiment's latest ones. */
const GOLD_POOL = 400;
const GOLD_DRAWS = 32;

export async function leaseGoldIfDue(db: Db, experimentId: string, userId: string, now: Date) {
  // Fixed at creation: read from the per-process copy, not the database, on every label.
  const { goldRate: rate, maze } = await experimentFacts(db, experimentId);
  if (rate <= 0) return null;
  const given = await db.label.count({ where: { userId, pair: { experimentId } } });
  const rng = new Rng(`gold:${experimentId}:${userId}:${given}`);
  if (rng.uniform() >= rate) return null;

  const runs = await db.trajectory.findMany({
    where: { experimentId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: GOLD_POOL,
    select: { id: true, cells: true, success: true },
  });
  if (runs.length < 2) return null;
  const distances = distancesToGoal(parseLayout(maze.text));
  const cells = runs.map((r) => decodeCells(r.cells));
  for (let draw = 0; draw < GOLD_DRAWS; draw++) {
    const i = rng.int(runs.length);
    const j = rng.int(runs.length);
    if (i === j) continue;
    if (judgeByTruth(distances, { cells: cells[i], success: runs[i].success }, { cells: cells[j], success: runs[j].success }) === "equal") continue;
    const pairId = uuidv7();
    const expiresAt = new Date(now.getTime() + DEFAULT_LEASE_MS);
    await db.$transaction(async (tx) => {
      await tx.pair.create({ data: { id: pairId, experimentId, leftId: runs[i].id, rightId: runs[j].id, selection: GOLD_SELECTION, labelsWanted: 1 } });
      await addOpenPairs(tx, experimentId, 1);
      await tx.lease.create({ data: { pairId, slot: 0, userId, expiresAt } });
    });
    const pair = await db.pair.findUniqueOrThrow({
      where: { id: pairId },
      include: { left: { select: trajectorySelect }, right: { select: trajectorySelect } },
    });
    return { expiresAt, pair };
  }
  return null;
}
