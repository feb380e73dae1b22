// GET /api/experiments/:id/dashboard - curves, heatmap, accuracy, agreement and label counts of one experiment
import { getDashboard } from "@/lib/server/experiments/dashboards";
import { route } from "@/lib/server/http/route";
import { dashboardSchema } from "@/lib/contracts/dashboard";

export const GET = route({ role: "researcher", params: { id: "experiment" }, response: dashboardSchema }, ({ db, params }) => getDashboard(db, params.id));
