// GET /api/experiments/:id - one experiment; PATCH - change its labelling mode, name or status
import { getExperimentDto, updateExperiment } from "@/lib/server/experiments/experiments";
import { handle, json, parseBody, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";
import { updateExperimentSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "experiment");
    return json({ experiment: await getExperimentDto(id) });
  });
}

export function PATCH(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "experiment");
    const body = await parseBody(req, updateExperimentSchema, "experiment change");
    if (!body.ok) return body.response;
    return json({ experiment: await updateExperiment(id, body.data) });
  });
}
