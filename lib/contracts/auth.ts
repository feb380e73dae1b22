// Accounts: names, passwords, roles, the admin's user changes and one-time links: what the forms send and
// what the routes answer.
import { z } from "zod";
import { idSchema, isoDate } from "./ids";
import { INVITE_PURPOSES, ROLES } from "./words";

export { INVITE_PURPOSES, ROLES, type InvitePurpose, type Role } from "./words";

/** Names are case-insensitive: stored and compared trimmed and lower case (`LAB1`, ` lab1 ` are `lab1`). */
export const userNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.@-]{2,40}$/, "2-40 letters, digits or _ . @ -");

/** bcrypt reads at most 72 bytes: longer passwords are refused rather than silently cut. */
export const passwordSchema = z
  .string()
  .min(8, "at least 8 characters")
  .refine((p) => Buffer.byteLength(p, "utf8") <= 72, "at most 72 bytes");

export const signInSchema = z
  .object({
    name: z.string().trim().toLowerCase().min(1, "enter your user name").max(100),
    password: z.string().min(1, "enter your password").max(200),
  })
  .strict();

export const acceptInviteSchema = z
  .object({
    token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, "not an invite token"),
    /** Ignored for a password reset (the account is fixed). */
    name: userNameSchema.optional(),
    password: passwordSchema,
  })
  .strict();

export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, "enter your current password").max(200), newPassword: passwordSchema })
  .strict();

export const createUserSchema = z.object({ name: userNameSchema, role: z.enum(ROLES), password: passwordSchema }).strict();

export const updateUserSchema = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });

export const createInviteSchema = z
  .object({
    role: z.enum(ROLES).default("labeler"),
    /** How long the link works. */
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
  })
  .strict();

// ---------------------------------------------------------------- responses

/** The signed-in account as every route and page sees it. */
export const sessionUserSchema = z.strictObject({ id: idSchema, name: z.string(), role: z.enum(ROLES) });
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const userSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  hasPassword: z.boolean(),
  labels: z.number().int().min(0),
  lastSignInAt: isoDate.nullable(),
  createdAt: isoDate,
});
export type UserDto = z.infer<typeof userSchema>;

export const inviteSchema = z.strictObject({
  id: idSchema,
  purpose: z.enum(INVITE_PURPOSES),
  role: z.enum(ROLES),
  user: z.string().nullable(),
  createdBy: z.string().nullable(),
  expiresAt: isoDate,
  createdAt: isoDate,
});
export type InviteDto = z.infer<typeof inviteSchema>;

/** A freshly made link: the only time its token exists outside the person's browser. */
export const newLinkSchema = inviteSchema.extend({ url: z.string(), path: z.string() });
export type NewLinkDto = z.infer<typeof newLinkSchema>;

/** What an invite link is for (the invite page). */
export const inviteInfoSchema = z.strictObject({
  purpose: z.enum(INVITE_PURPOSES),
  role: z.enum(ROLES),
  /** The account a reset link is for. */
  user: z.string().nullable(),
  expiresAt: isoDate,
});
export type InviteInfoDto = z.infer<typeof inviteInfoSchema>;

export const okSchema = z.strictObject({ ok: z.boolean() });
export const signOutSchema = z.strictObject({ everywhere: z.boolean().default(false) });
export const meResponse = z.strictObject({ user: sessionUserSchema });
export const signedInResponse = z.strictObject({ user: sessionUserSchema });
export const usersResponse = z.strictObject({ users: z.array(userSchema) });
export const userResponse = z.strictObject({ user: userSchema });
export const invitesResponse = z.strictObject({ invites: z.array(inviteSchema) });
export const linkResponse = z.strictObject({ link: newLinkSchema });

// Zod-free, for the sign-in page's code: see safe-next.ts.
export { safeNext } from "./safe-next";
