// POST /api/label/next - lease the caller's next pair of an experiment, peek at the one after it, queue counts
import { next } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { nextRequestSchema, nextResponse } from "@/lib/contracts/label";

export const POST = route({ role: "labeler", body: nextRequestSchema, response: nextResponse }, ({ db, user, body }) => next(db, body.experimentId, user.id));
