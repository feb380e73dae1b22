// GET /api/experiments - list experiments; POST /api/experiments - create one from the form's fields
import { createExperiment, listExperiments } from "@/lib/server/experiments";
import { ensureDemoOnce } from "@/lib/server/demo";
import { getDb } from "@/lib/server/db";
import { handle, json, parseBody } from "@/lib/server/http";
import { requireUser } from "@/lib/server/auth";
import { createExperimentSchema } from "@/lib/schemas/experiment";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(async () => {
    await requireUser(req, "researcher");
    await ensureDemoOnce(await getDb());
    return json({ experiments: await listExperiments() });
  });
}

export function POST(req: Request) {
  return handle(async () => {
    await requireUser(req, "researcher");
    const body = await parseBody(req, createExperimentSchema, "experiment");
    if (!body.ok) return body.response;
    return json({ experiment: await createExperiment(body.data) }, 201);
  });
}
