// POST /api/pairs/:id/label - record the signed-in labeller's choice on a pair leased to them, answer with their next pair
import { labelAndNext } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { humanLabelBodySchema, labelResultResponse } from "@/lib/contracts/label";

const bodySchema = humanLabelBodySchema.omit({ pairId: true });

export const POST = route(
  { role: "labeler", params: { id: "pair" }, body: bodySchema, name: "label", response: labelResultResponse, status: 201 },
  ({ db, user, params, body }) => labelAndNext(db, params.id, body, user.id),
);
