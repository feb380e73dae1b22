// POST /api/rounds/:id/cancel - cancel a queued or running round (admin; the worker stops at its next heartbeat)
import { cancelRound } from "@/lib/server/training/rounds";
import { handle, json, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "admin");
    const id = await routeId(ctx, "round");
    return json({ round: await cancelRound(id) });
  });
}
