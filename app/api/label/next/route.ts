// GET /api/label/next?experiment=ID - lease the caller's next pair, peek at the one after it, queue counts
import { z } from "zod";
import { next } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { idSchema } from "@/lib/contracts/ids";
import { nextResponse } from "@/lib/contracts/label";

const querySchema = z.object({ experiment: idSchema });

export const GET = route({ role: "labeler", query: querySchema, response: nextResponse }, ({ db, user, query }) => next(db, query.experiment, user.id));
