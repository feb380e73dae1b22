// GET /api/label/targets - experiments people can label now, with their open pair counts
import { labelTargets } from "@/lib/server/labelling/labelling";
import { handle, json } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(async () => {
    await requireUser(req, "labeler");
    return json({ experiments: await labelTargets() });
  });
}
