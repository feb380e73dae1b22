// How the queue shows a pair: both trajectories decoded, and the order in which open pairs are handed out.
import "server-only";
import { decodeSteps } from "../db/codec";
import type { DbOrTx } from "../db/client";
import { AppError } from "../errors";
import type { TrajectoryView } from "../../contracts/label";

export type { TrajectoryView } from "../../contracts/label";

/** The queue's order, everywhere it is read: highest priority first, then oldest, then by id (stable). */
export const QUEUE_ORDER = [{ priority: "desc" }, { createdAt: "asc" }, { id: "asc" }] as const satisfies ReadonlyArray<Record<string, "asc" | "desc">>;

/** Open pairs of the experiment that the user has not labelled (or skipped). */
export const openForUser = (experimentId: string, userId: string) => ({ experimentId, status: "open" as const, labels: { none: { userId } } });

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

export const trajectorySelect = {
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

export const pairSummarySelect = {
  id: true,
  experimentId: true,
  leftId: true,
  rightId: true,
  selection: true,
  priority: true,
  labelsWanted: true,
  labelsDone: true,
} as const;
export type PairSummary = {
  id: string;
  experimentId: string;
  leftId: string;
  rightId: string;
  selection: string;
  priority: number;
  labelsWanted: number;
  labelsDone: number;
};

/** The leased pair with both trajectories decoded (one query for the two trajectories). */
export async function withTrajectories(db: DbOrTx, pair: PairSummary, lease: LeasedPair["lease"]): Promise<LeasedPair> {
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
