// GET /api/experiments/:id - one experiment; PATCH - change its labelling mode, name or status
import { getExperimentDto, updateExperiment } from "@/lib/server/experiments/experiments";
import { route } from "@/lib/server/http/route";
import { experimentResponse, updateExperimentSchema } from "@/lib/contracts/experiment";

export const GET = route({ role: "researcher", params: { id: "experiment" }, response: experimentResponse }, async ({ db, params }) => ({
  experiment: await getExperimentDto(db, params.id),
}));

export const PATCH = route(
  { role: "researcher", params: { id: "experiment" }, body: updateExperimentSchema, name: "experiment change", response: experimentResponse },
  async ({ db, params, body }) => ({ experiment: await updateExperiment(db, params.id, body) }),
);
