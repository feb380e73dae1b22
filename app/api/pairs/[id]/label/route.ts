// POST /api/pairs/:id/label - record the signed-in labeller's choice on a pair leased to them, answer with their next pair
import { labelAndNext } from "@/lib/server/labelling/labelling";
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, parseBody, routeId } from "@/lib/server/http/route";
import { humanLabelBodySchema } from "@/lib/schemas/label";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };
const bodySchema = humanLabelBodySchema.omit({ pairId: true });

export function POST(req: Request, ctx: Ctx) {
  return handle(async () => {
    const user = await requireUser(req, "labeler");
    const id = await routeId(ctx, "pair");
    const body = await parseBody(req, bodySchema, "label");
    if (!body.ok) return body.response;
    return json(await labelAndNext(id, body.data, user.id), 201);
  });
}
