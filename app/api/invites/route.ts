// GET /api/invites - links not used yet; POST {role, expiresInHours} - a new invite link (admin; shown once)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, parseBody } from "@/lib/server/http/route";
import { createInvite, listInvites } from "@/lib/server/auth/users";
import { createInviteSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(async () => {
    await requireUser(req, "admin");
    return json({ invites: await listInvites() });
  });
}

export function POST(req: Request) {
  return handle(async () => {
    const actor = await requireUser(req, "admin");
    const body = await parseBody(req, createInviteSchema, "invite");
    if (!body.ok) return body.response;
    return json({ link: await createInvite(actor, body.data) }, 201);
  });
}
