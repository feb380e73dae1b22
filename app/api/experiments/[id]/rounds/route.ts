// GET /api/experiments/:id/rounds - its training rounds, newest first (researcher); POST - queue the next round for the worker (admin)
import { enqueueRound, listRounds } from "@/lib/server/rounds";
import { handle, json, notFound, parseBody } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";
import { idSchema, startRoundSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    return json({ rounds: await listRounds(id.data) });
  });
}

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "admin");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    const body = await parseBody(req, startRoundSchema, "round");
    if (!body.ok) return body.response;
    return json({ round: await enqueueRound(id.data, body.data) }, 201);
  });
}
