// GET /api/pairs/:id - one pair with both trajectories and its labels (review by researchers; takes no lease)
import { getPair } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { pairResponse } from "@/lib/contracts/label";

export const GET = route({ role: "researcher", params: { id: "pair" }, response: pairResponse }, async ({ db, params }) => ({
  pair: await getPair(db, params.id),
}));
