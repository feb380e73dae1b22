// Who is calling, and may they: the route wrapper (lib/server/http/route.ts) and the page guards (page.ts) ask
// here, never read cookies themselves. The cookie names a session row; it and its account are read on every
// request, so sign-out, a role change, a disabled account or a password change takes effect at once.
//
//   labeler     label pairs (its own leases only)
//   researcher  + read experiments and dashboards, create experiments, switch labelling mode, export data
//   admin       + start and cancel rounds, manage users, invite people
import "server-only";
import type { NextResponse } from "next/server";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { assertSameOrigin } from "../http/origin";
import { cookieFrom, SESSION_COOKIE, sessionTtlSeconds, unsealSession, type SessionData } from "./session";
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

/** The account an unsealed session names, or null (signed out, expired, disabled, gone): one indexed read. */
export async function userForSession(db: Db, session: SessionData): Promise<SessionUser | null> {
  const row = await db.session.findUnique({
    where: { id: session.sid },
    select: { expiresAt: true, user: { select: { id: true, name: true, role: true, disabled: true } } },
  });
  if (!row || row.expiresAt <= new Date() || row.user.disabled) return null;
  return { id: row.user.id, name: row.user.name, role: row.user.role };
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
