// GET /api/experiments/:id/export?all=1 - the experiment's preference dataset as JSONL, streamed (researcher)
import { z } from "zod";
import { exportDatasetLines } from "@/lib/server/labelling/dataset";
import { jsonlDownload, route } from "@/lib/server/http/route";

const querySchema = z.object({ all: z.enum(["0", "1"]).default("0") }).strict();

export const GET = route({ role: "researcher", params: { id: "experiment" }, query: querySchema }, ({ db, params, query }) =>
  jsonlDownload(exportDatasetLines(db, params.id, { labelledOnly: query.all !== "1" }), `${params.id}.jsonl`),
);
