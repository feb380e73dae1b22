// POST /api/pairs/:id/label - record the caller's choice on a pair they hold, answer with their next pair
import { labelAndNext, userNameFrom } from "@/lib/server/labelling";
import { handle, json, notFound, parseBody } from "@/lib/server/http";
import { idSchema } from "@/lib/schemas/experiment";
import { humanLabelBodySchema } from "@/lib/schemas/label";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };
const bodySchema = humanLabelBodySchema.omit({ pairId: true });

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    const id = idSchema.safeParse((await ctx.params).id);
    if (!id.success) throw notFound("pair");
    const user = userNameFrom(req);
    const body = await parseBody(req, bodySchema, "label");
    if (!body.ok) return body.response;
    return json(await labelAndNext(id.data, body.data, user), 201);
  });
}
