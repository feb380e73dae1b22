// Signing in and out. Sign-in: the throttle is read before any hashing (one indexed read), the password is checked
// through the capped hash pool (an unknown name costs a comparison too, so timing does not tell names apart), and
// failures count per account + address and per address, in the database.
import "server-only";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { clientAddress } from "./client-address";
import { verifyPassword } from "./password";
import { cookieFrom, createSession, endSessions, SESSION_COOKIE, unsealSession } from "./session";
import { ACCOUNT_POLICY, ADDRESS_POLICY, assertNotThrottled, clearThrottle, recordFailure, throttleKeys } from "./throttle";
import type { SessionUser } from "../../contracts/auth";

/** Checks a name and password; returns the account and the session cookie value to set. */
export async function signIn(db: Db, req: Request, rawName: string, password: string): Promise<{ user: SessionUser; cookie: string }> {
  const name = rawName.trim().toLowerCase();
  const address = clientAddress(req);
  const accountKey = throttleKeys.signIn(name, address);
  const addressKey = throttleKeys.signInAddress(address);
  await assertNotThrottled(db, [accountKey, addressKey]);
  const row = await db.user.findUnique({ where: { name }, select: { id: true, name: true, role: true, disabled: true, passwordHash: true } });
  const ok = await verifyPassword(password, row?.passwordHash);
  if (!row || !ok || row.disabled) {
    await recordFailure(db, accountKey, ACCOUNT_POLICY);
    await recordFailure(db, addressKey, ADDRESS_POLICY);
    // One message for every case: it does not tell which names exist or are disabled.
    throw new AppError("UNAUTHORIZED", "wrong user name or password");
  }
  await clearThrottle(db, accountKey);
  await db.user.update({ where: { id: row.id }, data: { lastSignInAt: new Date() } });
  return { user: { id: row.id, name: row.name, role: row.role }, cookie: await createSession(db, row.id) };
}

/** Ends the session the request's cookie names (its row is deleted: a copy of the cookie stops working too). */
export async function signOut(db: Db, req: Request, everywhere: boolean): Promise<void> {
  const session = await unsealSession(cookieFrom(req.headers.get("cookie"), SESSION_COOKIE));
  if (!session) return;
  const row = await db.session.findUnique({ where: { id: session.sid }, select: { userId: true } });
  if (!row) return;
  if (everywhere) await endSessions(db, row.userId);
  else await db.session.deleteMany({ where: { id: session.sid } });
}
