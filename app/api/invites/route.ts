// GET /api/invites - links not used yet; POST {role, expiresInHours} - a new invite link (admin; shown once)
import { createInvite, listInvites } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { createInviteSchema, invitesResponse, linkResponse } from "@/lib/contracts/auth";

export const GET = route({ role: "admin", response: invitesResponse }, async ({ db }) => ({ invites: await listInvites(db) }));

export const POST = route({ role: "admin", body: createInviteSchema, name: "invite", response: linkResponse, status: 201 }, async ({ db, user, body }) => ({
  link: await createInvite(db, user, body),
}));
