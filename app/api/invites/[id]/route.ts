// DELETE /api/invites/:id - revoke a link not used yet (admin)
import { requireUser } from "@/lib/server/auth";
import { handle, json, routeId } from "@/lib/server/http";
import { revokeInvite } from "@/lib/server/users";

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
