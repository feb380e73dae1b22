// POST /api/rounds/:id/cancel - cancel a queued or running round (the worker stops at its next heartbeat)
import { cancelRound } from "@/lib/server/rounds";
import { handle, json, notFound } from "@/lib/server/http";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function POST(_req: Request, ctx: Ctx) {
  return handle(async () => {
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("round");
    return json({ round: await cancelRound(id.data) });
  });
}
