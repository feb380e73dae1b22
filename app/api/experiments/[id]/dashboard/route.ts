// GET /api/experiments/:id/dashboard - curves, heatmap, accuracy, agreement and label counts of one experiment
import { getDashboard } from "@/lib/server/dashboards";
import { handle, json, notFound } from "@/lib/server/http";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(_req: Request, ctx: Ctx) {
  return handle(async () => {
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    return json(await getDashboard(id.data));
  });
}
