// GET /api/label/targets - experiments people can label now, with their open pair counts
import { labelTargets } from "@/lib/server/labelling";
import { handle, json } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export function GET() {
  return handle(async () => json({ experiments: await labelTargets() }));
}
