// GET /api/experiments/:id/export?all=1 - the experiment's preference dataset as JSONL, streamed (researcher)
import { z } from "zod";
import { requireUser } from "@/lib/server/auth/guard";
import { getDb } from "@/lib/server/db/client";
import { exportDatasetLines } from "@/lib/server/labelling/dataset";
import { handle, parseQuery, routeId } from "@/lib/server/http/route";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };
const querySchema = z.object({ all: z.enum(["0", "1"]).default("0") }).strict();

export function GET(req: Request, ctx: Ctx) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const id = await routeId(ctx, "experiment");
    const { all } = parseQuery(req, querySchema);
    const lines = exportDatasetLines(await getDb(), id, { labelledOnly: all !== "1" });
    // Read the first line before answering, so an unknown experiment is a 404 and not a broken stream.
    const first = await lines.next();
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        if (!first.done) controller.enqueue(encoder.encode(first.value + "\n"));
        if (first.done) controller.close();
      },
      async pull(controller) {
        if (first.done) return;
        const { value, done } = await lines.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value + "\n"));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="${id}.jsonl"`,
        "cache-control": "no-store",
      },
    });
  });
}
