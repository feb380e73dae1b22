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

/** Every non-skip label on the experiment's pairs, split into training preferences and held-out ones. */
export async function loadPreferences(db: DbOrTx, experimentId: string, heldOutShare: number): Promise<RoundLabels> {
  const pairs = await db.pair.findMany({
    where: { experimentId, labels: { some: { choice: { not: "skip" } } } },
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

/** Slots per pair: the teacher takes one in synthetic and mixed mode, people the rest. */
export function labelsWantedFor(exp: { labellingMode: string; labelsPerPair: number }): number {
  return exp.labellingMode === "synthetic" ? 1 : exp.labellingMode === "mixed" ? exp.labelsPerPair + 1 : exp.labelsPerPair;
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

export async function labelCounts(db: DbOrTx, pairIds: readonly string[]): Promise<{ human: number; synthetic: number }> {
  const counts = await db.label.groupBy({ by: ["source"], where: { pairId: { in: [...pairIds] } }, _count: { _all: true } });
  return {
    human: counts.find((c) => c.source === "human")?._count._all ?? 0,
    synthetic: counts.find((c) => c.source === "synthetic")?._count._all ?? 0,
  };
}
