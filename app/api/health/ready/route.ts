// GET /api/health/ready - readiness for a load balancer: 200 once this instance is warm, 503 (Retry-After) before
import { route } from "@/lib/server/http/route";
import { readyResponse } from "@/lib/contracts/health";
import { AppError } from "@/lib/server/errors";
import { instanceState } from "@/lib/server/readiness";

export const GET = route({ role: "public", response: readyResponse }, async () => {
  if (instanceState() !== "ready") throw new AppError("UNAVAILABLE", "warming up: not ready for traffic yet", { state: instanceState(), retryAfterSec: 1 });
  return { state: "ready" as const };
});
