// GET /api/rounds/:id - a round's status and live progress (polled by the experiment page)
import { getRoundDto } from "@/lib/server/training/rounds";
import { route } from "@/lib/server/http/route";
import { roundResponse } from "@/lib/contracts/round";

export const GET = route({ role: "researcher", params: { id: "round" }, response: roundResponse }, async ({ db, params }) => ({
  round: await getRoundDto(db, params.id),
}));
