// POST /api/users/:id/reset - a one-time link to set a new password for the account (admin; shown once)
import { requireUser } from "@/lib/server/auth";
import { handle, json, notFound } from "@/lib/server/http";
import { createResetLink } from "@/lib/server/users";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    const actor = await requireUser(req, "admin");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("user");
    return json({ link: await createResetLink(actor, id.data) }, 201);
  });
}
