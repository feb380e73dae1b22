// Session cookies: { sid } sealed (encrypted + MAC, with an expiry) by iron-session; the session itself is a row
// (table Session), so deleting it ends the session even for someone who kept a copy of the cookie. The secret
// comes from SESSION_SECRET, or is generated once and kept in ./data/session-secret.
import "server-only";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sealData, unsealData } from "iron-session";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { getConfig } from "../../config";
import type { DbOrTx } from "../db/client";

export const SESSION_COOKIE = "oprl_session";
export const SECRET_FILE = path.join("data", "session-secret");

export type SessionData = { sid: string };
const sessionDataSchema = z.object({ sid: z.string().regex(/^[A-Za-z0-9_-]{43}$/) }).strict();

const state = globalThis as typeof globalThis & { __oprlSessionSecret?: string };

/** The sealing secret: SESSION_SECRET, else the generated one in ./data (created on first use, mode 600). */
export function sessionSecret(): string {
  if (state.__oprlSessionSecret) return state.__oprlSessionSecret;
  const fromEnv = getConfig().SESSION_SECRET;
  if (fromEnv) return (state.__oprlSessionSecret = fromEnv);
  const file = path.resolve(process.cwd(), SECRET_FILE);
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    const fresh = randomBytes(32).toString("base64url");
    try {
      writeFileSync(file, `${fresh}\n`, { flag: "wx", mode: 0o600 });
      chmodSync(file, 0o600);
      console.log(`[auth] SESSION_SECRET is not set: generated one in ${SECRET_FILE} (set SESSION_SECRET to share one between instances)`);
    } catch {
      // Another process created it first: use theirs.
    }
    secret = readFileSync(file, "utf8").trim();
  }
  if (secret.length < 32) throw new Error(`${SECRET_FILE} holds fewer than 32 characters: delete it or set SESSION_SECRET`);
  return (state.__oprlSessionSecret = secret);
}

export function sessionTtlSeconds(): number {
  return Math.round(getConfig().SESSION_TTL_HOURS * 3600);
}

export function sealSession(data: SessionData, ttlSeconds = sessionTtlSeconds()): Promise<string> {
  return sealData(data, { password: sessionSecret(), ttl: ttlSeconds });
}

/**
 * Cookies already unsealed, by their whole value, until the seal's own expiry (at most UNSEALED_TTL_MS). Unsealing is
 * four Web Crypto operations (about 1 ms of CPU) on every signed-in request; a labeller sends the same cookie hundreds
 * of times. Only cookies that passed the full check are kept, so a forged or tampered value is always checked in full;
 * the session row is still read on every request, so signing out ends a session at once. On globalThis: the route
 * handlers' bundles and instrumentation.ts each hold a copy of this module in one process.
 */
const UNSEALED_MAX = 10_000;
const UNSEALED_TTL_MS = 10 * 60_000;
const UNSEALED = Symbol.for("oprl.unsealedSessions");
/** A cookie that passed the check, and when its seal expires by the wall clock (iron's clock: Date.now()). */
type Unsealed = { data: SessionData; expiresAt: number };
type UnsealedCache = { secret: string; cache: LRUCache<string, Unsealed> };
const box = globalThis as typeof globalThis & { [UNSEALED]?: UnsealedCache };

function unsealedCache(secret: string): LRUCache<string, Unsealed> {
  // A different secret (tests switch it) makes every kept cookie unknown again.
  if (box[UNSEALED]?.secret !== secret) box[UNSEALED] = { secret, cache: new LRUCache({ max: UNSEALED_MAX }) };
  return box[UNSEALED].cache;
}

/** When an iron seal stops being valid (ms since the epoch), from its expiration field; null when it has none. */
export function sealExpiresAt(value: string): number | null {
  // Fe26.2*passwordId*salt*iv*encrypted*expiration*hmacSalt*hmac[~persistence]
  const expiration = Number(value.split("*")[5]);
  return Number.isSafeInteger(expiration) && expiration > 0 ? expiration : null;
}

/** The session in a cookie value, or null when it is missing, tampered with, sealed with another secret or expired. */
export async function unsealSession(value: string | undefined | null): Promise<SessionData | null> {
  if (!value || value.length > 4096) return null;
  const secret = sessionSecret();
  const cache = unsealedCache(secret);
  const known = cache.get(value);
  // The cache's own expiry runs on a monotonic clock; the seal's on the wall clock, which is what decides.
  if (known && Date.now() < known.expiresAt) return known.data;
  try {
    const data = await unsealData<SessionData>(value, { password: secret, ttl: sessionTtlSeconds() });
    const parsed = sessionDataSchema.safeParse(data);
    if (!parsed.success) return null;
    // Frozen: the kept object is handed to every later request with this cookie.
    Object.freeze(parsed.data);
    // Kept until the seal expires (iron itself allows a minute of clock skew past it: not kept for that minute); a
    // seal without an expiry is not kept.
    const expiresAt = sealExpiresAt(value) ?? 0;
    const left = expiresAt - Date.now();
    if (left > 0) cache.set(value, { data: parsed.data, expiresAt }, { ttl: Math.min(UNSEALED_TTL_MS, left) });
    return parsed.data;
  } catch {
    return null;
  }
}

/** A new session row for the account; returns the cookie value that names it. Expired rows are swept here. */
export async function createSession(db: DbOrTx, userId: string, now = new Date()): Promise<string> {
  const ttl = sessionTtlSeconds();
  const sid = randomBytes(32).toString("base64url");
  await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.session.create({ data: { id: sid, userId, expiresAt: new Date(now.getTime() + ttl * 1000) } });
  return sealSession({ sid }, ttl);
}

/** Ends every session of an account, but `keep` (the caller's own, on a password change). */
export async function endSessions(db: DbOrTx, userId: string, keep?: string): Promise<void> {
  await db.session.deleteMany({ where: { userId, ...(keep ? { id: { not: keep } } : {}) } });
}

/** A cookie's value from a Cookie header. */
export function cookieFrom(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
