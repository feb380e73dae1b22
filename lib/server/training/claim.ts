// The one way to take a training round: a check-and-set on its status and heartbeat. A round can be
// claimed when it is queued, or running with a stale heartbeat (its worker died or hung), or running for
// a process of this machine that no longer exists. The update only lands if the row is still as the
// claimer saw it, so of two claimers racing for one round exactly one wins. Used by the web app's worker
// (worker.ts) and the trainer CLI's --db / --resume (headless.ts).
import "server-only";
import { hostname } from "node:os";
import type { DbOrTx } from "../db/client";
import type { TrainingRound } from "../../../generated/sqlite/client";

/** A running round whose heartbeat is older than this belongs to a dead worker (heartbeats come every 2 s). */
export const DEFAULT_STALE_MS = 15_000;

export interface Claimer {
  workerId: string;
  /** Heartbeat age after which a running round is taken over. */
  staleMs?: number;
  /** Rounds this claimer runs now (a worker holds several, most waiting for labels): never claimed again. */
  running?: ReadonlySet<string>;
}

/** Worker ids are `[cli:]host:pid:random`. True when that process was on this machine and is gone. */
export function ownerGone(workerId: string | null): boolean {
  if (!workerId) return true;
  const parts = workerId.replace(/^cli:/, "").split(":");
  const pid = Number(parts[parts.length - 2]);
  const host = parts.slice(0, -2).join(":");
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Whether `round` may be claimed now (the check; the set is claimRound). */
export function isClaimable(round: Pick<TrainingRound, "status" | "heartbeatAt" | "workerId">, staleMs = DEFAULT_STALE_MS, now = Date.now()): boolean {
  if (round.status === "queued") return true;
  if (round.status !== "running") return false;
  return !round.heartbeatAt || round.heartbeatAt.getTime() < now - staleMs || ownerGone(round.workerId);
}

/**
 * A running round this claimer left (a database fault interrupted it): its own to take back at once, without
 * waiting for the heartbeat to go stale. Not one it is running now.
 */
function ownRunning(round: Pick<TrainingRound, "id" | "status" | "workerId">, claimer: Claimer): boolean {
  return round.status === "running" && round.workerId === claimer.workerId && !claimer.running?.has(round.id);
}

/**
 * Claims `seen` (a row as read by the caller) for `claimer`: null when it is not claimable, or when another
 * claimer changed it since it was read. The returned row is the round as now stored.
 */
export async function claimRound(db: DbOrTx, seen: TrainingRound, claimer: Claimer): Promise<TrainingRound | null> {
  if (!isClaimable(seen, claimer.staleMs) && !ownRunning(seen, claimer)) return null;
  const now = new Date();
  if (seen.status === "queued") {
    const { count } = await db.trainingRound.updateMany({
      where: { id: seen.id, status: "queued" },
      data: { status: "running", workerId: claimer.workerId, startedAt: now, heartbeatAt: now, progress: 0 },
    });
    return count === 1 ? { ...seen, status: "running", workerId: claimer.workerId, startedAt: now, heartbeatAt: now, progress: 0 } : null;
  }
  // Running: the owner and heartbeat must still be the ones judged stale.
  const { count } = await db.trainingRound.updateMany({
    where: { id: seen.id, status: "running", workerId: seen.workerId, heartbeatAt: seen.heartbeatAt },
    data: { workerId: claimer.workerId, heartbeatAt: now, startedAt: seen.startedAt ?? now },
  });
  return count === 1 ? { ...seen, workerId: claimer.workerId, heartbeatAt: now, startedAt: seen.startedAt ?? now } : null;
}

/**
 * Claims the next round to run (of one experiment, or any): a running round left by a dead worker first
 * (to resume it), oldest first; else the oldest queued round. `resumed` says which.
 */
export async function claimNext(
  db: DbOrTx,
  claimer: Claimer,
  experimentId?: string,
): Promise<{ round: TrainingRound; resumed: boolean; previousWorker: string | null } | null> {
  const scope = experimentId ? { experimentId } : {};
  const running = await db.trainingRound.findMany({ where: { ...scope, status: "running" }, orderBy: { createdAt: "asc" } });
  for (const r of running) {
    if (claimer.running?.has(r.id)) continue;
    if (!isClaimable(r, claimer.staleMs) && !ownRunning(r, claimer)) continue;
    const round = await claimRound(db, r, claimer);
    if (round) return { round, resumed: true, previousWorker: r.workerId };
  }
  // An experiment's rounds run in order: never beside another round of the same experiment (one waiting for labels).
  const busy = [...new Set(running.map((r) => r.experimentId))];
  const queued = await db.trainingRound.findFirst({
    where: { ...scope, status: "queued", AND: busy.length ? [{ experimentId: { notIn: busy } }] : [] },
    orderBy: { createdAt: "asc" },
  });
  if (!queued) return null;
  const round = await claimRound(db, queued, claimer);
  return round ? { round, resumed: false, previousWorker: null } : null;
}
