// POST /api/users/:id/reset - a one-time link to set a new password for the account (admin; shown once)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, routeId } from "@/lib/server/http/route";
import { createResetLink } from "@/lib/server/auth/users";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    const actor = await requireUser(req, "admin");
    const id = await routeId(ctx, "user");
    return json({ link: await createResetLink(actor, id) }, 201);
  });
}
