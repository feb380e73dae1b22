// GET /api/experiments/:id - one experiment; PATCH - change its labelling mode, name or status
import { getExperimentDto, updateExperiment } from "@/lib/server/experiments";
import { handle, json, notFound, parseBody } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";
import { idSchema, updateExperimentSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    return json({ experiment: await getExperimentDto(id.data) });
  });
}

export function PATCH(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("experiment");
    const body = await parseBody(req, updateExperimentSchema, "experiment change");
    if (!body.ok) return body.response;
    return json({ experiment: await updateExperiment(id.data, body.data) });
  });
}
