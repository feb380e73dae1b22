// GET /api/experiments/:id/rounds - its training rounds, newest first (researcher); POST - queue the next round for the worker (admin)
import { enqueueRound, listRounds } from "@/lib/server/training/rounds";
import { route } from "@/lib/server/http/route";
import { roundResponse, roundsResponse, startRoundSchema } from "@/lib/contracts/round";

export const GET = route({ role: "researcher", params: { id: "experiment" }, response: roundsResponse }, async ({ db, params }) => ({
  rounds: await listRounds(db, params.id),
}));

export const POST = route(
  { role: "admin", params: { id: "experiment" }, body: startRoundSchema, name: "round", response: roundResponse, status: 201 },
  async ({ db, params, body }) => ({ round: await enqueueRound(db, params.id, body) }),
);
