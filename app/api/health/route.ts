// GET /api/health - liveness: 200 while the process serves (warming or ready); no session, nothing read
import { route } from "@/lib/server/http/route";
import { healthResponse } from "@/lib/contracts/health";
import { instanceState } from "@/lib/server/readiness";

export const GET = route({ role: "public", response: healthResponse }, async () => ({ state: instanceState() }));
