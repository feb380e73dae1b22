// GET /api/pairs/:id - one pair with both trajectories and its labels (review by researchers; takes no lease)
import { getPair } from "@/lib/server/labelling/labelling";
import { handle, json, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "pair");
    return json({ pair: await getPair(id) });
  });
}
