// PATCH /api/users/:id {role?, disabled?} - change an account's role or disable it (admin)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, parseBody, routeId } from "@/lib/server/http/route";
import { updateUser } from "@/lib/server/auth/users";
import { updateUserSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function PATCH(req: Request, ctx: Ctx) {
  return handle(async () => {
    const actor = await requireUser(req, "admin");
    const id = await routeId(ctx, "user");
    const body = await parseBody(req, updateUserSchema, "user change");
    if (!body.ok) return body.response;
    return json({ user: await updateUser(actor, id, body.data) });
  });
}
