// POST /api/rounds/:id/cancel - cancel a queued or running round (admin; the worker stops at its next heartbeat)
import { cancelRound } from "@/lib/server/training/rounds";
import { route } from "@/lib/server/http/route";
import { roundResponse } from "@/lib/contracts/round";

export const POST = route({ role: "admin", params: { id: "round" }, response: roundResponse }, async ({ db, params }) => ({
  round: await cancelRound(db, params.id),
}));
