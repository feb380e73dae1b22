// Accounts: names, passwords, roles and the admin's user changes, shared by the routes and the forms.
import { z } from "zod";

export const ROLES = ["labeler", "researcher", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const userNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.@-]{2,40}$/, "2-40 letters, digits or _ . @ -");

/** bcrypt reads at most 72 bytes: longer passwords are refused rather than silently cut. */
export const passwordSchema = z
  .string()
  .min(8, "at least 8 characters")
  .refine((p) => Buffer.byteLength(p, "utf8") <= 72, "at most 72 bytes");

export const signInSchema = z
  .object({
    name: z.string().trim().min(1, "enter your user name").max(100),
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

export const createUserSchema = z
  .object({ name: userNameSchema, role: z.enum(ROLES), password: passwordSchema })
  .strict();

export const updateUserSchema = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });

export const createInviteSchema = z
  .object({
    role: z.enum(ROLES).default("labeler"),
    /** How long the link works. */
    expiresInHours: z.number().int().min(1).max(24 * 30).default(72),
  })
  .strict();
