// Throttles for password guesses, kept in the database (table AuthThrottle) so every app instance on one
// PostgreSQL database sees the same counts. A key counts failures; from the `free`-th one on, the key waits
// firstDelay x 2^(failures - free), at most maxDelay, before its next attempt is even checked. A success clears
// the key. Keys are chosen so nobody can lock an owner out: sign-in counts per account AND address (another
// address's failures never block the owner's right password) and, more loosely, per address.
import "server-only";
import type { DbOrTx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { AppError } from "../errors";
import { noteAddressBlocked, type AddressScope } from "./address-blocks";

export type ThrottlePolicy = { free: number; firstDelayMs: number; maxDelayMs: number };

/** One account from one address (sign-in), or one signed-in account's current password. */
export const ACCOUNT_POLICY: ThrottlePolicy = { free: 5, firstDelayMs: 1000, maxDelayMs: 15 * 60_000 };
/** One address trying many names. */
export const ADDRESS_POLICY: ThrottlePolicy = { free: 30, firstDelayMs: 1000, maxDelayMs: 15 * 60_000 };
/** A key quiet this long starts again from zero. */
export const FORGET_AFTER_MS = 60 * 60_000;

/** The per-address keys' prefixes, by the node guard's scope: one table for making the keys and reading them back. */
const ADDRESS_PREFIX: Record<AddressScope, string> = { "sign-in": "signin-addr:", invite: "invite-addr:" };

export const throttleKeys = {
  signIn: (name: string, address: string) => `signin:${name}|${address}`,
  signInAddress: (address: string) => `${ADDRESS_PREFIX["sign-in"]}${address}`,
  /** One address using links that are unknown, used or expired (a flood of made-up tokens). */
  inviteAddress: (address: string) => `${ADDRESS_PREFIX.invite}${address}`,
  password: (userId: string) => `password:${userId}`,
};

/** An address key's wait, copied for the node guard (address-blocks.ts), which then refuses it before Next. */
function mirror(key: string, until: Date): void {
  for (const [scope, prefix] of Object.entries(ADDRESS_PREFIX) as [AddressScope, string][]) {
    if (key.startsWith(prefix)) return noteAddressBlocked(scope, key.slice(prefix.length), until.getTime());
  }
}

/** The wait after `failures` failures. */
export function backoffMs(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(30, failures - policy.free));
}

/** Refuses (429 with Retry-After) while any of `keys` waits. One indexed read. */
export async function assertNotThrottled(db: DbOrTx, keys: string[], now = new Date()): Promise<void> {
  const blocked = await db.authThrottle.findMany({ where: { key: { in: keys }, blockedUntil: { gt: now } }, select: { key: true, blockedUntil: true } });
  if (blocked.length === 0) return;
  for (const b of blocked) mirror(b.key, b.blockedUntil!);
  const waitMs = Math.max(...blocked.map((b) => b.blockedUntil!.getTime() - now.getTime()));
  const sec = Math.max(1, Math.ceil(waitMs / 1000));
  throw new AppError("RATE_LIMITED", `too many failed attempts: try again in ${sec < 120 ? `${sec} s` : `${Math.ceil(sec / 60)} min`}`, {
    retryAfterSec: sec,
  });
}

let failuresSinceSweep = 0;

/** Counts a failure for `key` (atomically: concurrent failures all count) and sets its wait. */
export async function recordFailure(db: DbOrTx, key: string, policy: ThrottlePolicy, now = new Date()): Promise<number> {
  const stale = new Date(now.getTime() - FORGET_AFTER_MS);
  // Forget an old streak first, then count this failure (one native upsert on both databases).
  await db.authThrottle.deleteMany({ where: { key, lastFailureAt: { lt: stale } } });
  const upsert = () =>
    db.authThrottle.upsert({
      where: { key },
      create: { key, failures: 1, lastFailureAt: now },
      update: { failures: { increment: 1 }, lastFailureAt: now },
    });
  // Two first failures at once: the loser of the insert counts on the row the winner made.
  const row = await upsert().catch((err) => (isUniqueViolation(err) ? upsert() : Promise.reject(err)));
  const wait = backoffMs(row.failures, policy);
  if (wait > 0) {
    const until = new Date(now.getTime() + wait);
    await db.authThrottle.update({ where: { key }, data: { blockedUntil: until } });
    mirror(key, until);
  }
  // Now and then drop every quiet key, so names and addresses tried once do not pile up.
  if (++failuresSinceSweep >= 500) {
    failuresSinceSweep = 0;
    await db.authThrottle.deleteMany({ where: { lastFailureAt: { lt: stale }, OR: [{ blockedUntil: null }, { blockedUntil: { lt: now } }] } });
  }
  return row.failures;
}

export async function clearThrottle(db: DbOrTx, key: string): Promise<void> {
  await db.authThrottle.deleteMany({ where: { key } });
}
