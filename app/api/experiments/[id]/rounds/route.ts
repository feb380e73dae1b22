// GET /api/experiments/:id/rounds - its training rounds, newest first; POST - queue the next round for the worker
import { enqueueRound, listRounds } from "@/lib/server/rounds";
import { handle, json, notFound, parseBody } from "@/lib/server/http";
import { idSchema, startRoundSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(_req: Request, ctx: Ctx) {
  return handle(async () => {
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    return json({ rounds: await listRounds(id.data) });
  });
}

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    const body = await parseBody(req, startRoundSchema, "round");
    if (!body.ok) return body.response;
    return json({ round: await enqueueRound(id.data, body.data) }, 201);
  });
}
