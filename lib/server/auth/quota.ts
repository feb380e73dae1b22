// Per-account quotas on what costs the server to keep: experiments and one-time links. Counted in the database
// (so every app instance sees the same numbers), inside the transaction that writes the new row, so concurrent
// requests cannot all pass one check. Beyond a quota: 429 with a message that says which and when to retry.
import "server-only";
import { getConfig } from "../../config";
import type { DbOrTx } from "../db/client";
import { AppError } from "../errors";

export interface Quota {
  /** What is counted, for the message ("experiments", "invite links"). */
  what: string;
  /** At most this many in total (null: no cap) ... */
  total: { limit: number; count: () => Promise<number> } | null;
  /** ... and at most this many in the last minute. */
  perMinute: { limit: number; count: (since: Date) => Promise<number> };
}

/** Throws RATE_LIMITED when one more would pass a limit of `quota`. */
export async function assertQuota(quota: Quota, now = new Date()): Promise<void> {
  const recent = await quota.perMinute.count(new Date(now.getTime() - 60_000));
  if (recent >= quota.perMinute.limit) {
    throw new AppError("RATE_LIMITED", `at most ${quota.perMinute.limit} ${quota.what} a minute: try again in a minute`, {
      retryAfterSec: 60,
      limit: quota.perMinute.limit,
    });
  }
  if (quota.total && (await quota.total.count()) >= quota.total.limit) {
    throw new AppError("RATE_LIMITED", `at most ${quota.total.limit} ${quota.what} per account: remove some first, or ask an admin to raise the limit`, {
      limit: quota.total.limit,
    });
  }
}

/**
 * One-time links (invites and resets) an account made: INVITES_PER_USER unused and unexpired at once,
 * INVITES_PER_MINUTE made a minute. Links made from the command line have no maker and are not counted.
 */
export function linkQuota(db: DbOrTx, makerId: string): Quota {
  const { INVITES_PER_USER, INVITES_PER_MINUTE } = getConfig();
  return {
    what: "invite or reset links",
    total: { limit: INVITES_PER_USER, count: () => db.invite.count({ where: { createdById: makerId, usedAt: null, expiresAt: { gt: new Date() } } }) },
    perMinute: { limit: INVITES_PER_MINUTE, count: (since) => db.invite.count({ where: { createdById: makerId, createdAt: { gte: since } } }) },
  };
}
