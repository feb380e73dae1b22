// The labelling screen's data: which pair comes next for the signed-in labeller (leased through the queue, and the
// one after it peeked at so the browser can preload it), and how much is left. The caller is an account from
// requireUser: every lease and label carries its id.
import "server-only";
import type { Db, DbOrTx } from "../db/client";
import { AppError } from "../errors";
import { experimentFacts } from "./experiment-facts";
import { nextPair, recordLabel } from "./queue";
import { readPairForLabel } from "./labels";
import { bestFreePairId, warmLeaseQueries, type OtherLease } from "./leases";
import { readQueueCounts } from "./counters";
import { toTrajectoryView, trajectorySelect, withTrajectories, type LeasedPair } from "./views";
import { ensureDemoOnce } from "../experiments/demo";
import { leaseGoldIfDue } from "./gold";
import { labelEtaSeconds, parseRoundState, roundNotes } from "../training/round-state";
import { GOLD_SELECTION } from "../../contracts/words";
import {
  MAX_LABEL_TARGETS,
  type HumanLabelBody,
  type LabelResultDto,
  type LabelTargetDto,
  type LateLabelDto,
  type NextDto,
  type PairDto,
  type PairReviewDto,
  type QueueStatsDto,
  type QueueStatusDto,
  type WaitingRoundDto,
} from "../../contracts/label";

async function toPairDto(db: DbOrTx, p: Pick<LeasedPair, "pairId" | "experimentId" | "selection" | "left" | "right">, lease: Date | null): Promise<PairDto> {
  const view = await experimentFacts(db, p.experimentId);
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

const eligible = { labellingMode: { not: "synthetic" as const }, status: { not: "archived" as const } };

/** The round of an experiment that waits for people now (running, in its labelling phase), as the label screen shows it. */
export function toWaitingRound(round: { index: number; status: string; state: string | null }, now = Date.now()): WaitingRoundDto | null {
  const state = round.status === "running" ? parseRoundState(round.state) : null;
  if (!state || state.phase !== "labelling" || state.labelsClosedAt) return null;
  return {
    index: round.index,
    have: state.labelsHave,
    target: state.labelsTarget,
    deadline: state.labelDeadline ? new Date(state.labelDeadline).toISOString() : null,
    etaSeconds: ((eta) => (eta === null ? null : Math.round(eta)))(labelEtaSeconds(state, now)),
    note: roundNotes(state),
  };
}

/**
 * The running round as read at most WAITING_ROUND_TTL_MS ago, per process: every label request shows it, and its
 * progress moves at the round runner's pace (it counts labels every few hundred ms), not at each label's.
 */
export const WAITING_ROUND_TTL_MS = 1000;
const MAX_WAITING_ROUNDS = 1000;
type RunningRoundRow = { index: number; status: string; state: string | null };
const runningRounds = new Map<string, { row: RunningRoundRow | null; readAt: number }>();

function readRunningRound(db: DbOrTx, experimentId: string): Promise<RunningRoundRow | null> {
  return db.trainingRound.findFirst({
    where: { experimentId, status: "running" },
    orderBy: { index: "desc" },
    select: { index: true, status: true, state: true },
  });
}

export async function waitingRound(db: DbOrTx, experimentId: string, now = Date.now()): Promise<WaitingRoundDto | null> {
  const hit = runningRounds.get(experimentId);
  let row = hit && now - hit.readAt < WAITING_ROUND_TTL_MS && hit.readAt <= now ? hit.row : undefined;
  if (row === undefined) {
    row = await readRunningRound(db, experimentId);
    runningRounds.delete(experimentId);
    if (runningRounds.size >= MAX_WAITING_ROUNDS) runningRounds.delete(runningRounds.keys().next().value!);
    runningRounds.set(experimentId, { row, readAt: now });
  }
  return row ? toWaitingRound(row, now) : null;
}

/**
 * Experiments people can label now (not synthetic-only, not archived), at most MAX_LABEL_TARGETS: those whose round
 * waits for labels first (the nearest time limit first), then the most open pairs, then the newest.
 */
export async function labelTargets(db: Db): Promise<{ experiments: LabelTargetDto[]; total: number }> {
  await ensureDemoOnce(db);
  const [total, running, busiest, newest] = await Promise.all([
    db.experiment.count({ where: eligible }),
    db.trainingRound.findMany({ where: { status: "running", experiment: eligible }, select: { experimentId: true, index: true, status: true, state: true } }),
    // Experiment.openPairs is a kept counter (counters.ts): this reads experiment rows, never the queue.
    db.experiment.findMany({
      where: { ...eligible, openPairs: { gt: 0 } },
      orderBy: [{ openPairs: "desc" }, { id: "asc" }],
      take: MAX_LABEL_TARGETS,
      select: { id: true },
    }),
    db.experiment.findMany({ where: eligible, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: MAX_LABEL_TARGETS, select: { id: true } }),
  ]);
  const rounds = new Map<string, WaitingRoundDto>();
  for (const r of running) {
    const w = toWaitingRound(r);
    if (w) rounds.set(r.experimentId, w);
  }
  const byDeadline = [...rounds.entries()].sort(([, a], [, b]) => (a.deadline ?? "").localeCompare(b.deadline ?? "")).map(([id]) => id);
  const ids = [...new Set([...byDeadline, ...busiest.map((b) => b.id), ...newest.map((e) => e.id)])].slice(0, MAX_LABEL_TARGETS);
  const exps = await db.experiment.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, labellingMode: true, openPairs: true } });
  const rank = new Map(ids.map((id, i) => [id, i]));
  const experiments = exps
    .map((e) => ({ id: e.id, name: e.name, labellingMode: e.labellingMode, openPairs: e.openPairs, round: rounds.get(e.id) ?? null }))
    .sort(
      (a, b) =>
        Number(!!b.round) - Number(!!a.round) || (a.round ? rank.get(a.id)! - rank.get(b.id)! : b.openPairs - a.openPairs || rank.get(a.id)! - rank.get(b.id)!),
    );
  return { experiments, total };
}

/** The screen's counts, read from the kept counters (counters.ts): two primary-key reads, whatever the queue's size. */
export async function queueStats(db: DbOrTx, experimentId: string, userId: string): Promise<QueueStatsDto> {
  return { experimentId, ...(await readQueueCounts(db, experimentId, userId)) };
}

/**
 * The pair nextPair would lease after the user's current one, read-only (leases.ts bestFreePairId): the queue's
 * order, a free slot, neither labelled nor held by this user, not `exclude`.
 */
export async function peekPair(db: DbOrTx, experimentId: string, userId: string, exclude: string[]): Promise<PairDto | null> {
  const pickId = await bestFreePairId(db, experimentId, userId, new Date(), exclude);
  if (!pickId) return null;
  const pair = await db.pair.findUniqueOrThrow({
    where: { id: pickId },
    include: { left: { select: trajectorySelect }, right: { select: trajectorySelect } },
  });
  return toPairDto(
    db,
    { pairId: pair.id, experimentId, selection: pair.selection, left: toTrajectoryView(pair.left), right: toTrajectoryView(pair.right) },
    null,
  );
}

/** The caller's queue, read only: what waits for them and the round that waits for labels (the empty screen polls this). */
export async function queueStatus(db: Db, experimentId: string, userId: string): Promise<QueueStatusDto> {
  await experimentFacts(db, experimentId);
  const [stats, round] = await Promise.all([queueStats(db, experimentId, userId), waitingRound(db, experimentId)]);
  return { stats, round };
}

/** Leases the caller's next pair (or gives the one they hold), and the one after it to preload. Only POST routes call it. */
export async function next(db: Db, experimentId: string, userId: string, preferPairId?: string): Promise<NextDto> {
  await ensureDemoOnce(db);
  const leased = await nextPair(db, { experimentId, userId }, new Date(), preferPairId);
  const pair = leased ? await toPairDto(db, leased, leased.lease.expiresAt) : null;
  const [upcoming, stats, round] = await Promise.all([
    leased && pair ? upcomingPair(db, experimentId, userId, pair.pairId, leased.otherLease) : Promise.resolve(null),
    queueStats(db, experimentId, userId),
    waitingRound(db, experimentId),
  ]);
  return { pair, upcoming, stats, round };
}

/**
 * The pair after `current`: a second pair the user holds (a gold pair leased to them; nextPair found it with the
 * current one), a new gold pair when one is due, else a peek at the queue.
 */
async function upcomingPair(db: Db, experimentId: string, userId: string, current: string, otherLease: OtherLease | null): Promise<PairDto | null> {
  const now = new Date();
  if (otherLease) {
    const other = await withTrajectories(db, otherLease.pair, { slot: otherLease.slot, expiresAt: otherLease.expiresAt });
    return toPairDto(db, other, otherLease.expiresAt);
  }
  const held = await leaseGoldIfDue(db, experimentId, userId, now);
  if (held) {
    const p = held.pair;
    return toPairDto(
      db,
      { pairId: p.id, experimentId, selection: p.selection, left: toTrajectoryView(p.left), right: toTrajectoryView(p.right) },
      held.expiresAt,
    );
  }
  return peekPair(db, experimentId, userId, [current]);
}

/** Records a person's label, then leases their next pair, in one round trip. A label on a closed round's pair says so (`late`). */
export async function labelAndNext(db: Db, pairId: string, body: Omit<HumanLabelBody, "pairId">, userId: string): Promise<LabelResultDto> {
  // One read of the pair serves this function and recordLabel's checks.
  const pair = await readPairForLabel(db, pairId, body.labelId);
  if (!pair) throw new AppError("NOT_FOUND", `pair ${pairId} not found`);
  const input = {
    labelId: body.labelId,
    pairId,
    experimentId: pair.experimentId,
    source: "human" as const,
    userId,
    choice: body.choice,
    responseMs: body.responseMs,
  };
  const result = await recordLabel(db, input, new Date(), pair);
  const late = pair.selection === GOLD_SELECTION || body.choice === "skip" ? null : await lateFor(db, pair.experimentId, pair.left.round);
  return {
    labelId: result.label.id,
    replayed: result.replayed,
    pair: result.pair,
    late,
    next: await next(db, pair.experimentId, userId, body.nextPairId),
  };
}

/**
 * Null while the round that made the pair still takes labels (queued, or running and not past labelling); else
 * which round trains on the label: the latest round if it still takes labels, the one after it otherwise.
 */
async function lateFor(db: DbOrTx, experimentId: string, roundIndex: number): Promise<LateLabelDto | null> {
  const takesLabels = (r: { status: string; state: string | null }) => {
    if (r.status === "queued") return true;
    if (r.status !== "running") return false;
    const state = parseRoundState(r.state);
    return !state || (["collecting", "selecting", "labelling"].includes(state.phase) && !state.labelsClosedAt);
  };
  // The pair's round and the latest, in one read: the rounds from the pair's on (normally just that one).
  const rounds = await db.trainingRound.findMany({
    where: { experimentId, index: { gte: roundIndex } },
    orderBy: { index: "desc" },
    select: { index: true, status: true, state: true },
  });
  const own = rounds.find((r) => r.index === roundIndex);
  if (!own || takesLabels(own)) return null;
  const latest = rounds[0];
  const countsFor = latest && latest.index > roundIndex && takesLabels(latest) ? latest.index : (latest?.index ?? roundIndex) + 1;
  return { round: roundIndex, countsFor };
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

/**
 * The label path's statements, each run once for ids that match no row (nothing is written): Prisma compiles a
 * statement's plan the first time it meets its shape, ~0.1 s each on a cold process, so a restarted instance does
 * it before serving instead of in its first labellers' requests. Called by lib/server/warm.ts.
 */
export async function warmLabelPath(db: Db): Promise<void> {
  const none = "warm-up: matches no row";
  await readPairForLabel(db, none, none);
  await warmLeaseQueries(db, none);
  await peekPair(db, none, none, [none]);
  await readQueueCounts(db, none, none);
  await lateFor(db, none, 0);
  await readRunningRound(db, none);
  const nowhere = { id: none, experimentId: none, leftId: none, rightId: none, selection: none, priority: 0, labelsWanted: 1, labelsDone: 0 };
  await withTrajectories(db, nowhere, { slot: 0, expiresAt: new Date() }).catch(() => null); // NOT_FOUND: no such trajectories
}

/**
 * The label screen's reads on real rows, read only: the experiment with the most open pairs, the pair its queue would
 * give next (trajectories decoded, as on screen), its counts and the round waiting for labels, for a user that does not
 * exist. warmLabelPath's statements match no row, so they leave cold what only rows run (decoding, building answers);
 * GET /api/health/warm runs this in the route handlers' own copy of the code (lib/server/warm-http.ts). Returns
 * whether there was such an experiment.
 */
export async function warmLabelReads(db: Db): Promise<boolean> {
  const busiest = await db.experiment.findFirst({ where: { openPairs: { gt: 0 } }, orderBy: { openPairs: "desc" }, select: { id: true } });
  if (!busiest) return false;
  const nobody = "warm-up: no such user";
  const [pair, stats, round] = await Promise.all([peekPair(db, busiest.id, nobody, []), queueStats(db, busiest.id, nobody), waitingRound(db, busiest.id)]);
  // Serialised as an answer would be; the text is dropped.
  JSON.stringify({ pair, upcoming: pair, stats, round });
  return true;
}
