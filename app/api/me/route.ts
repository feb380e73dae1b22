// GET /api/me - the signed-in account (401 when signed out)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json } from "@/lib/server/http/route";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(async () => json({ user: await requireUser(req, "labeler") }));
}
