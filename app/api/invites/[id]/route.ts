// DELETE /api/invites/:id - revoke a link not used yet (admin)
import { requireUser } from "@/lib/server/auth";
import { handle, json, notFound } from "@/lib/server/http";
import { revokeInvite } from "@/lib/server/users";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function DELETE(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "admin");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("invite");
    await revokeInvite(id.data);
    return json({ ok: true });
  });
}
