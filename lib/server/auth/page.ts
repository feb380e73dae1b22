// The page side of auth.ts: server components ask here who is signed in. Signed out -> the sign-in page (and
// back afterwards); signed in without the role -> Next's 403 page (app/forbidden.tsx).
import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "../db/client";
import { hasRole, userForSession, type SessionUser } from "./guard";
import { SESSION_COOKIE, unsealSession } from "./session";
import { safeNext, type Role } from "../../contracts/auth";

/** The database for a server page (pages are entry points, like the route wrapper). */
export const pageDb = getDb;

/** The signed-in account; the database is opened only for a valid session (not for signed-out views or the build). */
export async function pageUser(): Promise<SessionUser | null> {
  const session = await unsealSession((await cookies()).get(SESSION_COOKIE)?.value);
  return session ? userForSession(await pageDb(), session) : null;
}

/** Only same-site paths: `next` must not send someone to another host after signing in (lib/contracts/auth.ts). */
export { safeNext };

export async function requirePageUser(role: Role, here: string): Promise<SessionUser> {
  const user = await pageUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(safeNext(here))}`);
  if (!hasRole(user, role)) forbidden();
  return user;
}
