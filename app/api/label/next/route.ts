// GET /api/label/next?experiment=ID - lease the caller's next pair, peek at the one after it, queue counts
import { z } from "zod";
import { next } from "@/lib/server/labelling/labelling";
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, parseQuery } from "@/lib/server/http/route";
import { idSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";
const querySchema = z.object({ experiment: idSchema });

export function GET(req: Request) {
  return handle(async () => {
    const user = await requireUser(req, "labeler");
    const { experiment } = parseQuery(req, querySchema);
    return json(await next(experiment, user.id));
  });
}
