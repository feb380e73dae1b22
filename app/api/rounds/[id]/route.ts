// GET /api/rounds/:id - a round's status and live progress (polled by the experiment page)
import { getRoundDto } from "@/lib/server/training/rounds";
import { handle, json, routeId } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "round");
    return json({ round: await getRoundDto(id) });
  });
}
