// The labelling screen's data: which pair comes next for the signed-in labeller (leased through the queue, and the
// one after it peeked at so the browser can preload it), and how much is left. The caller is an account from
// requireUser: every lease and label carries its id.
import "server-only";
import type { Db, DbOrTx } from "../db/client";
import { AppError } from "../errors";
import { parseStoredConfig } from "../experiments/config";
import { freeSlot, nextPair, recordLabel } from "./queue";
import { openForUser, QUEUE_ORDER, toTrajectoryView, trajectorySelect, type LeasedPair } from "./views";
import { ensureDemoOnce } from "../experiments/demo";
import type { HumanLabelBody, LabelResultDto, LabelTargetDto, MazeDto, NextDto, PairDto, PairReviewDto, QueueStatsDto } from "../../contracts/label";

const mazeCache = new Map<string, { name: string; maze: MazeDto }>();

async function experimentView(db: DbOrTx, experimentId: string) {
  const hit = mazeCache.get(experimentId);
  if (hit) return hit;
  const exp = await db.experiment.findUnique({ where: { id: experimentId } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const text = parseStoredConfig(exp.config).env.layout;
  const lines = text.split("\n");
  const view = { name: exp.name, maze: { text, rows: lines.length, cols: lines[0].length } };
  mazeCache.set(experimentId, view);
  return view;
}

async function toPairDto(db: DbOrTx, p: Pick<LeasedPair, "pairId" | "experimentId" | "selection" | "left" | "right">, lease: Date | null): Promise<PairDto> {
  const view = await experimentView(db, p.experimentId);
  return {
    pairId: p.pairId,
    experimentId: p.experimentId,
    experimentName: view.name,
    selection: p.selection,
    leased: lease !== null,
    leaseExpiresAt: lease?.toISOString() ?? null,
    maze: view.maze,
    left: p.left,
    right: p.right,
  };
}

/** Experiments people can label now (not synthetic-only, not archived), most open pairs first. */
export async function labelTargets(db: Db): Promise<LabelTargetDto[]> {
  await ensureDemoOnce(db);
  const exps = await db.experiment.findMany({
    where: { labellingMode: { not: "synthetic" }, status: { not: "archived" } },
    select: { id: true, name: true, labellingMode: true, _count: { select: { pairs: { where: { status: "open" } } } } },
  });
  return exps.map((e) => ({ id: e.id, name: e.name, labellingMode: e.labellingMode, openPairs: e._count.pairs })).sort((a, b) => b.openPairs - a.openPairs);
}

export async function queueStats(db: DbOrTx, experimentId: string, userId: string): Promise<QueueStatsDto> {
  const [waiting, labelledByYou] = await Promise.all([
    db.pair.count({ where: openForUser(experimentId, userId) }),
    db.label.count({ where: { userId, pair: { experimentId }, choice: { not: "skip" } } }),
  ]);
  return { experimentId, waiting, labelledByYou };
}

/**
 * The pair nextPair would lease after the user's current one, read-only: same order as the queue
 * (priority, then age), a free slot, not labelled by this user, not `exclude`.
 */
export async function peekPair(db: DbOrTx, experimentId: string, userId: string, exclude: string[]): Promise<PairDto | null> {
  const now = new Date();
  const candidates = await db.pair.findMany({
    where: { ...openForUser(experimentId, userId), id: { notIn: exclude } },
    orderBy: [...QUEUE_ORDER],
    take: 16,
    select: { id: true, labelsWanted: true, leases: { select: { slot: true, expiresAt: true, labelId: true, userId: true } } },
  });
  const pick = candidates.find((c) => !c.leases.some((l) => l.userId === userId) && freeSlot(c.labelsWanted, c.leases, now) !== null);
  if (!pick) return null;
  const pair = await db.pair.findUniqueOrThrow({
    where: { id: pick.id },
    include: { left: { select: trajectorySelect }, right: { select: trajectorySelect } },
  });
  return toPairDto(
    db,
    { pairId: pair.id, experimentId, selection: pair.selection, left: toTrajectoryView(pair.left), right: toTrajectoryView(pair.right) },
    null,
  );
}

export async function next(db: Db, experimentId: string, userId: string): Promise<NextDto> {
  await ensureDemoOnce(db);
  await experimentView(db, experimentId);
  const leased = await nextPair(db, { experimentId, userId });
  const pair = leased ? await toPairDto(db, leased, leased.lease.expiresAt) : null;
  const [upcoming, stats] = await Promise.all([
    pair ? peekPair(db, experimentId, userId, [pair.pairId]) : Promise.resolve(null),
    queueStats(db, experimentId, userId),
  ]);
  return { pair, upcoming, stats };
}

/** Records a person's label, then leases their next pair, in one round trip. */
export async function labelAndNext(db: Db, pairId: string, body: Omit<HumanLabelBody, "pairId">, userId: string): Promise<LabelResultDto> {
  const pair = await db.pair.findUnique({ where: { id: pairId }, select: { experimentId: true } });
  if (!pair) throw new AppError("NOT_FOUND", `pair ${pairId} not found`);
  const result = await recordLabel(db, {
    labelId: body.labelId,
    pairId,
    experimentId: pair.experimentId,
    source: "human",
    userId,
    choice: body.choice,
    responseMs: body.responseMs,
  });
  return {
    labelId: result.label.id,
    replayed: result.replayed,
    pair: result.pair,
    next: await next(db, pair.experimentId, userId),
  };
}

/** One pair with both trajectories, for review (no lease). */
export async function getPair(db: DbOrTx, pairId: string): Promise<PairReviewDto> {
  const pair = await db.pair.findUnique({
    where: { id: pairId },
    include: { left: { select: trajectorySelect }, right: { select: trajectorySelect }, labels: { include: { user: { select: { name: true } } } } },
  });
  if (!pair) throw new AppError("NOT_FOUND", `pair ${pairId} not found`);
  const dto = await toPairDto(
    db,
    { pairId: pair.id, experimentId: pair.experimentId, selection: pair.selection, left: toTrajectoryView(pair.left), right: toTrajectoryView(pair.right) },
    null,
  );
  return { ...dto, labels: pair.labels.map((l) => ({ source: l.source, choice: l.choice, user: l.user?.name ?? null, teacher: l.teacher })) };
}
