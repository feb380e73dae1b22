// GET /api/rounds/:id - a round's status and live progress (polled by the experiment page)
import { getRoundDto } from "@/lib/server/rounds";
import { handle, json, notFound } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("round");
    return json({ round: await getRoundDto(id.data) });
  });
}
