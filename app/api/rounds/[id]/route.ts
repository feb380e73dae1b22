// GET /api/rounds/:id - a round's status and live progress (polled by the experiment page)
import { getRoundDto } from "@/lib/server/rounds";
import { handle, json, routeId } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "round");
    return json({ round: await getRoundDto(id) });
  });
}
