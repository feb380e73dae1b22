// GET /api/experiments - list experiments; POST /api/experiments - create one from the form's fields
import { createExperiment, listExperiments } from "@/lib/server/experiments/experiments";
import { ensureDemoOnce } from "@/lib/server/experiments/demo";
import { route } from "@/lib/server/http/route";
import { createExperimentSchema, experimentResponse, experimentsResponse } from "@/lib/contracts/experiment";

export const GET = route({ role: "researcher", response: experimentsResponse }, async ({ db }) => {
  await ensureDemoOnce(db);
  return { experiments: await listExperiments(db) };
});

export const POST = route(
  { role: "researcher", body: createExperimentSchema, name: "experiment", response: experimentResponse, status: 201 },
  async ({ db, user, body }) => ({ experiment: await createExperiment(db, body, user.id) }),
);
