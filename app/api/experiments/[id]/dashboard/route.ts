// GET /api/experiments/:id/dashboard?since=VERSION - curves, heatmap, accuracy, agreement and label counts of one
// experiment; with the version of the last answer, `{ unchanged: true }` while nothing drawn has changed.
import { getDashboard } from "@/lib/server/experiments/dashboards";
import { route } from "@/lib/server/http/route";
import { dashboardQuerySchema, dashboardResponse } from "@/lib/contracts/dashboard";

export const GET = route(
  { role: "researcher", params: { id: "experiment" }, query: dashboardQuerySchema, response: dashboardResponse },
  ({ db, params, query }) => getDashboard(db, params.id, query.since),
);
