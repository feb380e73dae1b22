// GET /api/experiments/:id/dashboard - curves, heatmap, accuracy, agreement and label counts of one experiment
import { getDashboard } from "@/lib/server/dashboards";
import { handle, json, notFound } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    return json(await getDashboard(id.data));
  });
}
