// GET /api/experiments/:id/rounds - its training rounds, newest first (researcher); POST - queue the next round for the worker (admin)
import { enqueueRound, listRounds } from "@/lib/server/training/rounds";
import { handle, json, parseBody, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";
import { startRoundSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "experiment");
    return json({ rounds: await listRounds(id) });
  });
}

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "admin");
    const id = await routeId(ctx, "experiment");
    const body = await parseBody(req, startRoundSchema, "round");
    if (!body.ok) return body.response;
    return json({ round: await enqueueRound(id, body.data) }, 201);
  });
}
