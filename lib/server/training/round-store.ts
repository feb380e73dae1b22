// What a round reads from and writes to the database, apart from its state and checkpoints: trajectories,
// the labelled preferences of the experiment, the round's pairs and the teacher's labels on them.
// Reads are ordered (creation order, ids break ties), so a round on the same data draws the same numbers.
import "server-only";
import { choiceToLabel, type Choice } from "../../labelers";
import type { OprlAgent } from "../../rl/agent";
import type { EpisodeStep } from "../../rl/episode";
import type { Preference } from "../../rl/preferences";
import type { PlannedPair, PoolEntry, RoundLabels } from "../../rl/round";
import { isHeldOut } from "../../rl/stats";
import type { Trajectory } from "../../rl/trajectory";
import { decodeCells, decodeFloat32, encodeSteps } from "../db/codec";
import type { Db, DbOrTx } from "../db/client";
import { uuidv7 } from "../db/ids";
import { isAppError } from "../errors";
import { recordLabel } from "../labelling/queue";
import type { RoundRef } from "./round-metrics";
import type { Rng } from "../../rng";
import { GOLD_SELECTION } from "../../contracts/words";

const CREATION_ORDER = [{ createdAt: "asc" as const }, { id: "asc" as const }];

export function toTrajectory(row: {
  cells: Uint8Array;
  actions: Uint8Array;
  rewards: Uint8Array;
  return: number;
  length: number;
  success: boolean;
}): Trajectory {
  return {
    cells: Int32Array.from(decodeCells(row.cells)),
    actions: Uint8Array.from(row.actions),
    rewards: decodeFloat32(row.rewards),
    return: row.return,
    length: row.length,
    success: row.success,
  };
}

/**
 * Every non-skip label on the experiment's pairs, split into training preferences and held-out ones. Late labels
 * (given after their round closed) are among them, so the next round trains on them; gold pairs are not: they
 * measure the labeller, they do not train.
 */
export async function loadPreferences(db: DbOrTx, experimentId: string, heldOutShare: number): Promise<RoundLabels> {
  const pairs = await db.pair.findMany({
    where: { experimentId, selection: { not: GOLD_SELECTION }, labels: { some: { choice: { not: "skip" } } } },
    include: { left: true, right: true, labels: { select: { choice: true }, orderBy: CREATION_ORDER } },
    orderBy: CREATION_ORDER,
  });
  const train: Preference[] = [];
  const heldOut: Preference[] = [];
  for (const p of pairs) {
    const left = toTrajectory(p.left);
    const right = toTrajectory(p.right);
    for (const l of p.labels) {
      const label = choiceToLabel(l.choice as Choice);
      if (label === null) continue;
      (isHeldOut(left, right, heldOutShare) ? heldOut : train).push({ left, right, label });
    }
  }
  return { train, heldOut };
}

/** The round's stored episodes (a resumed round's pool), in the order they were played. */
export async function loadRoundPool(db: DbOrTx, round: RoundRef): Promise<PoolEntry[]> {
  const stored = await db.trajectory.findMany({ where: { experimentId: round.experimentId, round: round.index }, orderBy: CREATION_ORDER });
  return stored.map((row) => ({ id: row.id, trajectory: toTrajectory(row) }));
}

export interface PendingEpisode {
  id: string;
  step: EpisodeStep;
}

/** A new episode's id: time-ordered, so the round's pool reads back in the order it was played. */
export const newEpisodeId = () => uuidv7();

export function trajectoryRow(round: RoundRef, e: PendingEpisode) {
  const t = e.step.trajectory;
  const enc = encodeSteps({ actions: Array.from(t.actions), cells: Array.from(t.cells), rewards: Array.from(t.rewards) });
  return {
    id: e.id,
    experimentId: round.experimentId,
    round: round.index,
    policyVersion: round.index,
    actions: enc.actions,
    cells: enc.cells,
    rewards: enc.rewards,
    return: t.return,
    length: t.length,
    success: t.success,
  };
}

/** Pair rows for the chosen pairs; `labelsWanted` is the queue's k for the experiment's labelling mode. */
export function pairRows(experimentId: string, pairs: readonly PlannedPair[], selection: string, labelsWanted: number) {
  return pairs.map((p) => ({ id: uuidv7(), experimentId, leftId: p.left.id, rightId: p.right.id, selection, priority: p.priority, labelsWanted }));
}

/** Slots per pair: the teacher's one in synthetic mode; people's k otherwise (in mixed mode the teacher settles a pair people left too long). */
export function labelsWantedFor(exp: { labellingMode: string; labelsPerPair: number }): number {
  return exp.labellingMode === "synthetic" ? 1 : exp.labelsPerPair;
}

/** A round's own pairs: those made from its episodes (replacements included), gold pairs not. */
export const roundPairsWhere = (round: Pick<RoundRef, "experimentId" | "index">) => ({
  experimentId: round.experimentId,
  left: { round: round.index },
  selection: { not: GOLD_SELECTION },
});

/** A pair counts as skipped by everyone once this many distinct people skipped it (or every active labeller, when fewer). */
export const SKIPS_TO_REPLACE = 3;
/** Labellers who gave any label (skips too) on the experiment in this window count as active. */
export const ACTIVE_LABELLER_WINDOW_MS = 30 * 60_000;

/**
 * Open pairs of the round that everyone skipped: skipped by SKIPS_TO_REPLACE distinct people, or by every labeller
 * active on the experiment lately when there are fewer, and held by nobody now (a holder may still label it).
 */
export async function pairsEveryoneSkipped(
  db: DbOrTx,
  round: RoundRef,
  now = new Date(),
): Promise<{ id: string; leftId: string; rightId: string; priority: number }[]> {
  const open = await db.pair.findMany({
    where: { ...roundPairsWhere(round), status: "open", labels: { some: { choice: "skip", source: "human" } } },
    orderBy: CREATION_ORDER,
    select: {
      id: true,
      leftId: true,
      rightId: true,
      priority: true,
      labels: { where: { choice: "skip", source: "human" }, select: { userId: true } },
      leases: { where: { labelId: null, expiresAt: { gt: now } }, select: { id: true } },
    },
  });
  if (open.length === 0) return [];
  const active = await db.label.groupBy({
    by: ["userId"],
    where: { source: "human", pair: { experimentId: round.experimentId }, createdAt: { gte: new Date(now.getTime() - ACTIVE_LABELLER_WINDOW_MS) } },
  });
  const needed = Math.max(1, Math.min(SKIPS_TO_REPLACE, active.length));
  return open.filter((p) => p.leases.length === 0 && new Set(p.labels.map((l) => l.userId)).size >= needed);
}

/**
 * A new pair of two of the round's episodes that are not paired yet, drawn with `rng`; null when every two of them
 * already are (a tiny round).
 */
export async function replacementPair(db: DbOrTx, round: RoundRef, rng: Rng): Promise<{ leftId: string; rightId: string } | null> {
  const [episodes, pairs] = await Promise.all([
    db.trajectory.findMany({ where: { experimentId: round.experimentId, round: round.index }, orderBy: CREATION_ORDER, select: { id: true } }),
    db.pair.findMany({ where: { experimentId: round.experimentId, left: { round: round.index } }, select: { leftId: true, rightId: true } }),
  ]);
  const taken = new Set(pairs.flatMap((p) => [`${p.leftId}:${p.rightId}`, `${p.rightId}:${p.leftId}`]));
  const n = episodes.length;
  for (let attempt = 0; attempt < 64 && n >= 2; attempt++) {
    const i = rng.int(n);
    const j = rng.int(n);
    if (i !== j && !taken.has(`${episodes[i].id}:${episodes[j].id}`)) return { leftId: episodes[i].id, rightId: episodes[j].id };
  }
  return null;
}

/** The teacher labels the round's open pairs it has not labelled yet (through the queue, which gives it a slot), in the round's pair order. */
export async function labelMissingSynthetically(db: Db, agent: OprlAgent, pairIds: readonly string[]): Promise<void> {
  const found = await db.pair.findMany({
    where: { id: { in: [...pairIds] }, status: "open", labels: { none: { source: "synthetic" } } },
    include: { left: true, right: true },
  });
  const order = new Map(pairIds.map((id, i) => [id, i]));
  found.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  for (const p of found) {
    const choice = agent.teacher.judge(toTrajectory(p.left), toTrajectory(p.right), agent.rng);
    try {
      await recordLabel(db, { labelId: uuidv7(), pairId: p.id, experimentId: p.experimentId, source: "synthetic", teacher: agent.config.teacher.kind, choice });
    } catch (err) {
      // People hold every slot of this pair, or finished it meanwhile: their labels stand.
      if (isAppError(err, "CONFLICT") || isAppError(err, "PAIR_CLOSED")) continue;
      throw err;
    }
  }
}

/** Decided labels on the round's pairs (replacements included, skips not), by source. */
export async function labelCounts(db: DbOrTx, round: Pick<RoundRef, "experimentId" | "index">): Promise<{ human: number; synthetic: number }> {
  const counts = await db.label.groupBy({ by: ["source"], where: { pair: roundPairsWhere(round), choice: { not: "skip" } }, _count: { _all: true } });
  return {
    human: counts.find((c) => c.source === "human")?._count._all ?? 0,
    synthetic: counts.find((c) => c.source === "synthetic")?._count._all ?? 0,
  };
}
