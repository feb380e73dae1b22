// Who is calling, and may they: the route wrapper (lib/server/http/route.ts) and the page guards (page.ts) ask
// here, never read cookies themselves. The session names an account; the account row is read on every
// request, so a role change, a disabled account or a password change takes effect at once.
//
//   labeler     label pairs (its own leases only)
//   researcher  + read experiments and dashboards, create experiments, switch labelling mode, export data
//   admin       + start and cancel rounds, manage users, invite people
import "server-only";
import type { NextResponse } from "next/server";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { assertSameOrigin } from "../http/origin";
import { verifyPassword } from "./password";
import { RateLimiter } from "./rate-limit";
import { cookieFrom, sealSession, SESSION_COOKIE, sessionTtlSeconds, unsealSession } from "./session";
import { ROLES, type Role, type SessionUser } from "../../contracts/auth";

export type { SessionUser } from "../../contracts/auth";

/** ROLES is ordered: each role can do what the ones before it can. */
export function hasRole(user: Pick<SessionUser, "role"> | null, role: Role): boolean {
  return user !== null && ROLES.indexOf(user.role) >= ROLES.indexOf(role);
}

/** The signed-in account a session cookie value names, or null (no cookie, bad seal, expired, disabled, revoked). */
export async function userFromSessionCookie(db: Db, value: string | undefined): Promise<SessionUser | null> {
  const session = await unsealSession(value);
  return session ? userForSession(db, session) : null;
}

/** The account an unsealed session names, or null (disabled, revoked, gone). */
export async function userForSession(db: Db, session: { uid: string; v: number }): Promise<SessionUser | null> {
  const user = await db.user.findUnique({
    where: { id: session.uid },
    select: { id: true, name: true, role: true, disabled: true, sessionVersion: true },
  });
  if (!user || user.disabled || user.sessionVersion !== session.v) return null;
  return { id: user.id, name: user.name, role: user.role };
}

export function currentUser(db: Db, req: Request): Promise<SessionUser | null> {
  return userFromSessionCookie(db, cookieFrom(req.headers.get("cookie"), SESSION_COOKIE));
}

// Same-origin checks live with the HTTP layer; re-exported for the callers that imported them from here.
export { assertSameOrigin } from "../http/origin";

/** The caller, if signed in with at least `role`: else 401 (not signed in) or 403 (signed in, role too low). */
export async function requireUser(db: Db, req: Request, role: Role = "labeler"): Promise<SessionUser> {
  assertSameOrigin(req);
  const user = await currentUser(db, req);
  if (!user) throw new AppError("UNAUTHORIZED", "sign in first");
  if (!hasRole(user, role)) throw new AppError("FORBIDDEN", `needs the ${role} role`);
  return user;
}

// Sign-in throttling: failures per account name (guessing one password) and per client address (trying many
// names). Successful sign-ins do not count. Per process: several instances each keep their own counts.
export const signInLimits = {
  perName: new RateLimiter(5, 15 * 60_000),
  perClient: new RateLimiter(30, 15 * 60_000),
};

/** The client's address as the server saw it (`next start` fills X-Forwarded-For from the socket when absent). */
export function clientKey(req: Request): string {
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "unknown";
}

/** Checks a name and password; returns the account and the session cookie value to set. */
export async function signIn(db: Db, req: Request, name: string, password: string): Promise<{ user: SessionUser; cookie: string }> {
  assertSameOrigin(req);
  const nameKey = name.trim().toLowerCase();
  const client = clientKey(req);
  const wait = Math.max(signInLimits.perName.blockedFor(nameKey), signInLimits.perClient.blockedFor(client));
  if (wait > 0) {
    throw new AppError("RATE_LIMITED", `too many failed sign-ins: try again in ${Math.ceil(wait / 60)} min`, { retryAfterSec: wait });
  }
  const row = await db.user.findUnique({
    where: { name: name.trim() },
    select: { id: true, name: true, role: true, disabled: true, passwordHash: true, sessionVersion: true },
  });
  const ok = await verifyPassword(password, row?.passwordHash);
  if (!row || !ok || row.disabled) {
    signInLimits.perName.hit(nameKey);
    signInLimits.perClient.hit(client);
    // One message for every case: it does not tell which names exist or are disabled.
    throw new AppError("UNAUTHORIZED", "wrong user name or password");
  }
  signInLimits.perName.clear(nameKey);
  await db.user.update({ where: { id: row.id }, data: { lastSignInAt: new Date() } });
  return { user: { id: row.id, name: row.name, role: row.role }, cookie: await sealSession({ uid: row.id, v: row.sessionVersion }) };
}

function isHttps(req: Request): boolean {
  return new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
}

/** Sets the session cookie: httpOnly, SameSite=Lax, Secure over HTTPS, as long as the session lasts. */
export function setSessionCookie(res: NextResponse, req: Request, value: string): NextResponse {
  res.cookies.set(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(req),
    path: "/",
    maxAge: sessionTtlSeconds(),
  });
  return res;
}

export function clearSessionCookie(res: NextResponse, req: Request): NextResponse {
  res.cookies.set(SESSION_COOKIE, "", { httpOnly: true, sameSite: "lax", secure: isHttps(req), path: "/", maxAge: 0 });
  return res;
}

/** A session for an account just created or just given a new password (invite, reset, change). */
export async function sessionFor(db: Db, userId: string): Promise<string> {
  const u = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { sessionVersion: true } });
  return sealSession({ uid: userId, v: u.sessionVersion });
}
