// Session cookies: { uid, v } sealed (encrypted + MAC, with an expiry) by iron-session. The secret comes from
// SESSION_SECRET, or is generated once and kept in ./data/session-secret.
import "server-only";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sealData, unsealData } from "iron-session";
import { z } from "zod";
import { getConfig } from "../../config";

export const SESSION_COOKIE = "oprl_session";
export const SECRET_FILE = path.join("data", "session-secret");

export type SessionData = { uid: string; v: number };
const sessionDataSchema = z.object({ uid: z.string().min(1).max(100), v: z.number().int().min(0) });

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

/** The session in a cookie value, or null when it is missing, tampered with, sealed with another secret or expired. */
export async function unsealSession(value: string | undefined | null): Promise<SessionData | null> {
  if (!value || value.length > 4096) return null;
  try {
    const data = await unsealData<SessionData>(value, { password: sessionSecret(), ttl: sessionTtlSeconds() });
    const parsed = sessionDataSchema.safeParse(data);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
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
