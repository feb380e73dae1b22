// GET /api/experiments/:id/labellers - each labeller's agreement with the maze's exact truth, gold pairs and speed
import { labellerQuality } from "@/lib/server/experiments/labellers";
import { route } from "@/lib/server/http/route";
import { labellersResponse } from "@/lib/contracts/labellers";

export const GET = route({ role: "researcher", params: { id: "experiment" }, response: labellersResponse }, async ({ db, params }) => ({
  labellers: await labellerQuality(db, params.id),
}));
