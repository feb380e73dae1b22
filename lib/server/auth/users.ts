// Accounts and one-time links: the admin's user management, invites, password resets, and the first admin.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { getConfig } from "../../config";
import type { Db, DbOrTx } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { AppError, isAppError, parseInput } from "../errors";
import { hashPassword, verifyPassword } from "./password";
import { assertQuota, linkQuota } from "./quota";
import { endSessions } from "./session";
import { ACCOUNT_POLICY, ADDRESS_POLICY, assertNotThrottled, clearThrottle, recordFailure, throttleKeys } from "./throttle";
import {
  ROLES,
  type InviteDto,
  type InviteInfoDto,
  type InvitePurpose,
  type NewLinkDto,
  type Role,
  type SessionUser,
  type UserDto,
} from "../../contracts/auth";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function appUrl(): string {
  return (getConfig().APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, "");
}

type UserRow = {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  passwordHash: string | null;
  lastSignInAt: Date | null;
  createdAt: Date;
  _count?: { labels: number };
};

function userDto(u: UserRow): UserDto {
  return {
    id: u.id,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    hasPassword: u.passwordHash !== null,
    labels: u._count?.labels ?? 0,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

const insertUserSchema = z.object({
  // Stored trimmed and lower case, like every name (the unique index then also refuses case duplicates).
  name: z.string().trim().toLowerCase().min(1, "name is empty").max(64, "name: at most 64 characters"),
  role: z.enum(ROLES).default("labeler"),
  passwordHash: z.string().min(1).nullish(),
});

/** Stores an account as given (a hash, or no password: imported labellers); a taken name is a CONFLICT. */
export async function insertUser(db: DbOrTx, input: z.input<typeof insertUserSchema>) {
  const data = parseInput(insertUserSchema, input, "user");
  try {
    return await db.user.create({ data: { name: data.name, role: data.role, passwordHash: data.passwordHash ?? null } });
  } catch (err) {
    if (isUniqueViolation(err, "User")) throw new AppError("CONFLICT", `a user named ${data.name} already exists`);
    throw err;
  }
}

export async function listUsers(db: Db): Promise<UserDto[]> {
  const rows = await db.user.findMany({ orderBy: [{ role: "desc" }, { name: "asc" }], include: { _count: { select: { labels: true } } } });
  return rows.map(userDto);
}

/** An account made by an admin, with its first password. */
export async function createUser(db: Db, input: { name: string; role: Role; password: string }): Promise<UserDto> {
  const passwordHash = await hashPassword(input.password);
  try {
    return userDto(await insertUser(db, { name: input.name, role: input.role, passwordHash }));
  } catch (err) {
    if (isAppError(err, "CONFLICT")) throw new AppError("CONFLICT", `the name ${input.name} is taken`, { fields: [{ path: "name", message: "taken" }] });
    throw err;
  }
}

/**
 * Changes an account's role or disables it. The last active admin cannot be demoted or disabled. Disabling ends
 * the account's sessions; an admin disabled or demoted loses the links it made that are not used yet.
 */
export async function updateUser(db: Db, actor: SessionUser, id: string, change: { role?: Role; disabled?: boolean }): Promise<UserDto> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) throw new AppError("NOT_FOUND", `user ${id} not found`);
    const losesAdmin = user.role === "admin" && !user.disabled && ((change.role && change.role !== "admin") || change.disabled === true);
    if (losesAdmin) {
      const admins = await tx.user.count({ where: { role: "admin", disabled: false } });
      if (admins <= 1) throw new AppError("CONFLICT", "the last admin cannot be demoted or disabled");
    }
    if (actor.id === id && change.disabled === true) throw new AppError("CONFLICT", "you cannot disable your own account");
    const disabling = change.disabled === true && !user.disabled;
    const updated = await tx.user.update({ where: { id }, data: change, include: { _count: { select: { labels: true } } } });
    if (disabling) {
      // Its sessions end at once; its unfinished leases go back to the queue.
      await endSessions(tx, id);
      await tx.lease.deleteMany({ where: { userId: id, labelId: null } });
    }
    if (!mayMakeLinks(updated)) await tx.invite.deleteMany({ where: { createdById: id, usedAt: null } });
    return userDto(updated);
  });
}

function inviteDto(i: {
  id: string;
  purpose: string;
  role: Role;
  expiresAt: Date;
  createdAt: Date;
  user?: { name: string } | null;
  createdBy?: { name: string } | null;
}): InviteDto {
  return {
    id: i.id,
    purpose: i.purpose as InvitePurpose,
    role: i.role,
    user: i.user?.name ?? null,
    createdBy: i.createdBy?.name ?? null,
    expiresAt: i.expiresAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
  };
}

async function newLink(
  db: DbOrTx,
  data: { purpose: InvitePurpose; role: Role; userId?: string; createdById?: string; expiresInHours: number },
): Promise<NewLinkDto> {
  const token = randomBytes(24).toString("base64url");
  const invite = await db.invite.create({
    data: {
      tokenHash: hashToken(token),
      purpose: data.purpose,
      role: data.role,
      userId: data.userId ?? null,
      createdById: data.createdById ?? null,
      expiresAt: new Date(Date.now() + data.expiresInHours * 3600_000),
    },
    include: { user: { select: { name: true } }, createdBy: { select: { name: true } } },
  });
  const path = `/invite/${token}`;
  return { ...inviteDto(invite), path, url: `${appUrl()}${path}` };
}

/** `actor`: the admin making it (null from the command line). */
export async function createInvite(db: Db, actor: SessionUser | null, input: { role: Role; expiresInHours: number }): Promise<NewLinkDto> {
  if (actor) await assertQuota(linkQuota(db, actor.id));
  return newLink(db, { purpose: "invite", role: input.role, createdById: actor?.id, expiresInHours: input.expiresInHours });
}

/** A one-time link to set a new password for `userId` (earlier unused reset links for it stop working). */
export async function createResetLink(db: Db, actor: SessionUser | null, userId: string): Promise<NewLinkDto> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
  if (!user) throw new AppError("NOT_FOUND", `user ${userId} not found`);
  if (actor) await assertQuota(linkQuota(db, actor.id));
  await db.invite.deleteMany({ where: { purpose: "reset", userId, usedAt: null } });
  return newLink(db, { purpose: "reset", role: user.role, userId, createdById: actor?.id, expiresInHours: 24 });
}

/** Links not used yet and not expired. */
export async function listInvites(db: Db): Promise<InviteDto[]> {
  const rows = await db.invite.findMany({
    where: { usedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    include: { user: { select: { name: true } }, createdBy: { select: { name: true } } },
  });
  return rows.map(inviteDto);
}

export async function revokeInvite(db: Db, id: string): Promise<void> {
  const { count } = await db.invite.deleteMany({ where: { id, usedAt: null } });
  if (count === 0) throw new AppError("NOT_FOUND", `invite ${id} not found`);
}

/** Only an active admin makes links (the routes and the CLI); a link is worth no more than its maker now. */
function mayMakeLinks(maker: { role: Role; disabled: boolean }): boolean {
  return maker.role === "admin" && !maker.disabled;
}

/**
 * The link a token names, if it can still be used: known, unused, unexpired, and its maker (when an admin made
 * it rather than the command line) still an active admin; a link whose maker lost that is revoked here.
 */
async function liveInvite(db: DbOrTx, token: string) {
  const invite = await db.invite.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: { select: { name: true } }, createdBy: { select: { role: true, disabled: true } } },
  });
  if (!invite || invite.usedAt || invite.expiresAt <= new Date()) return null;
  if (invite.purpose === "setup" && (await db.user.count({ where: { role: "admin" } })) > 0) return null;
  if (invite.createdBy && !mayMakeLinks(invite.createdBy)) {
    await db.invite.deleteMany({ where: { id: invite.id, usedAt: null } });
    return null;
  }
  return invite;
}

/** What an invite link is for, or null when it is unknown, used or expired. */
export async function inviteInfo(db: Db, token: string): Promise<InviteInfoDto | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const invite = await liveInvite(db, token);
  return invite
    ? { purpose: invite.purpose as InvitePurpose, role: invite.role, user: invite.user?.name ?? null, expiresAt: invite.expiresAt.toISOString() }
    : null;
}

/**
 * Uses a link once: creates the account (invite, setup) or sets the new password (reset, which also ends the
 * account's other sessions). Returns the account's id to sign it in.
 */
export async function acceptInvite(db: Db, input: { token: string; name?: string; password: string }, address: string): Promise<string> {
  // The link first, then the costly hash: a wrong token costs one read, never a hash. An address that keeps
  // trying dead links waits (like failed sign-ins), which also lets the node guard refuse its flood cheaply.
  const addressKey = throttleKeys.inviteAddress(address);
  await assertNotThrottled(db, [addressKey]);
  if (!(await liveInvite(db, input.token))) {
    await recordFailure(db, addressKey, ADDRESS_POLICY);
    throw new AppError("NOT_FOUND", "this link is unknown, used or expired");
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const invite = await liveInvite(tx, input.token);
      if (!invite) throw new AppError("NOT_FOUND", "this link is unknown, used or expired");
      // Claim it first: of two people racing with one link, one gets it.
      const { count } = await tx.invite.updateMany({ where: { id: invite.id, usedAt: null }, data: { usedAt: new Date() } });
      if (count !== 1) throw new AppError("NOT_FOUND", "this link is unknown, used or expired");
      if (invite.purpose === "reset") {
        const user = await tx.user.update({ where: { id: invite.userId! }, data: { passwordHash, lastSignInAt: new Date() } });
        await endSessions(tx, user.id);
        return user.id;
      }
      if (!input.name) throw new AppError("VALIDATION", "choose a user name", { fields: [{ path: "name", message: "choose a user name" }] });
      const user = await tx.user.create({
        data: { name: input.name.trim().toLowerCase(), role: invite.purpose === "setup" ? "admin" : invite.role, passwordHash, lastSignInAt: new Date() },
      });
      return user.id;
    });
  } catch (err) {
    if (isUniqueViolation(err, "User")) throw new AppError("CONFLICT", `the name ${input.name} is taken`, { fields: [{ path: "name", message: "taken" }] });
    throw err;
  }
}

/**
 * Changes the caller's own password (the current one is checked, its wrong guesses throttled per account like
 * sign-ins); every session of the account ends (the route starts a new one for the caller).
 */
export async function changePassword(db: Db, userId: string, currentPassword: string, newPassword: string): Promise<void> {
  const key = throttleKeys.password(userId);
  await assertNotThrottled(db, [key]);
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!(await verifyPassword(currentPassword, user?.passwordHash))) {
    await recordFailure(db, key, ACCOUNT_POLICY);
    throw new AppError("VALIDATION", "the current password is wrong", { fields: [{ path: "currentPassword", message: "wrong password" }] });
  }
  await clearThrottle(db, key);
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } });
  await endSessions(db, userId);
}

/**
 * First start: with no admin account, create one from ADMIN_PASSWORD (name ADMIN_NAME), else print a one-time
 * setup link (valid 24 h, and only while no admin exists). Safe when several instances start at once: of those
 * racing to insert the admin one wins and the others see it; each racing start prints a setup link of its own
 * and all of them stay valid (deleting "older" links would kill the link another instance just printed).
 */
export async function ensureAdmin(
  db: Db,
  log: (line: string) => void = console.log,
  { ADMIN_PASSWORD, ADMIN_NAME }: { ADMIN_PASSWORD?: string; ADMIN_NAME: string } = getConfig(),
): Promise<{ created?: string; setupUrl?: string }> {
  ADMIN_NAME = ADMIN_NAME.trim().toLowerCase();
  const adminExists = async () => (await db.user.count({ where: { role: "admin" } })) > 0;
  if (await adminExists()) return {};
  if (ADMIN_PASSWORD) {
    const passwordHash = await hashPassword(ADMIN_PASSWORD);
    try {
      await db.user.create({ data: { name: ADMIN_NAME, role: "admin", passwordHash } });
    } catch (err) {
      if (!isUniqueViolation(err, "User")) throw err;
      // Another instance inserted it between our read and our write: its admin is ours.
      if (await adminExists()) return {};
      // An account of that name made before any admin existed becomes the admin.
      await db.user.update({ where: { name: ADMIN_NAME }, data: { role: "admin", passwordHash, disabled: false } });
    }
    log(`[auth] created the admin account "${ADMIN_NAME}" with the password from ADMIN_PASSWORD`);
    return { created: ADMIN_NAME };
  }
  await db.invite.deleteMany({ where: { purpose: "setup", usedAt: null, expiresAt: { lte: new Date() } } });
  const link = await newLink(db, { purpose: "setup", role: "admin", expiresInHours: 24 });
  log(`[auth] no admin account yet: open ${link.url} to create it (one use, valid 24 h; set ADMIN_PASSWORD to skip this)`);
  return { setupUrl: link.url };
}
