// GET /api/experiments/:id/dashboard - curves, heatmap, accuracy, agreement and label counts of one experiment
import { getDashboard } from "@/lib/server/experiments/dashboards";
import { handle, json, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "experiment");
    return json(await getDashboard(id));
  });
}
