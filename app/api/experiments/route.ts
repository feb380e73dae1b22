// GET /api/experiments - list experiments; POST /api/experiments - create one from the form's fields
import { createExperiment, listExperiments } from "@/lib/server/experiments/experiments";
import { ensureDemoOnce } from "@/lib/server/experiments/demo";
import { getDb } from "@/lib/server/db/client";
import { handle, json, parseBody } from "@/lib/server/http/route";
import { requireUser } from "@/lib/server/auth/guard";
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
