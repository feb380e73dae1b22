// GET /api/experiments/:id/export?all=1 - the experiment's preference dataset as JSONL, streamed (researcher).
// Nothing to export (no labelled pair yet; with all=1, no pair) is a 409 that says so, not an empty download.
import { z } from "zod";
import { exportDatasetLines } from "@/lib/server/labelling/dataset";
import { AppError } from "@/lib/server/errors";
import { jsonlDownload, route } from "@/lib/server/http/route";

const querySchema = z.object({ all: z.enum(["0", "1"]).default("0") }).strict();

async function* prepend(first: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  yield first;
  yield* rest;
}

export const GET = route({ role: "researcher", params: { id: "experiment" }, query: querySchema }, async ({ db, params, query }) => {
  const labelledOnly = query.all !== "1";
  const lines = exportDatasetLines(db, params.id, { labelledOnly });
  const first = await lines.next();
  if (first.done) {
    throw new AppError(
      "CONFLICT",
      labelledOnly
        ? "nothing to export yet: no pair of this experiment has a label (label some pairs first, or add ?all=1 for the unlabelled pairs)"
        : "nothing to export yet: this experiment has no pairs (run a training round first)",
    );
  }
  return jsonlDownload(prepend(first.value, lines), `${params.id}.jsonl`);
});
