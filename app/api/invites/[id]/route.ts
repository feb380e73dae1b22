// DELETE /api/invites/:id - revoke a link not used yet (admin)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, routeId } from "@/lib/server/http/route";
import { revokeInvite } from "@/lib/server/auth/users";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function DELETE(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "admin");
    const id = await routeId(ctx, "invite");
    await revokeInvite(id);
    return json({ ok: true });
  });
}
