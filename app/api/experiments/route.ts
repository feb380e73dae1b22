// GET /api/experiments - list experiments; POST /api/experiments - create one from the form's fields
import { createExperiment, listExperiments } from "@/lib/server/experiments";
import { ensureDemoOnce } from "@/lib/server/demo";
import { getDb } from "@/lib/server/db";
import { handle, json, parseBody } from "@/lib/server/http";
import { createExperimentSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";

export function GET() {
  return handle(async () => {
    await ensureDemoOnce(await getDb());
    return json({ experiments: await listExperiments() });
  });
}

export function POST(req: Request) {
  return handle(async () => {
    const body = await parseBody(req, createExperimentSchema, "experiment");
    if (!body.ok) return body.response;
    return json({ experiment: await createExperiment(body.data) }, 201);
  });
}
