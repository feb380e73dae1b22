// GET /api/health/warm - the HTTP warm-up's own call (lib/server/warm-http.ts), 404 to everyone else: with this
// process's in-memory token and only while it is warming, runs the label path's statements and the label screen's
// reads on real rows for a user that does not exist, in the route handlers' copy of the code. Writes nothing.
import { route } from "@/lib/server/http/route";
import { WARM_TOKEN_HEADER, warmResponse } from "@/lib/contracts/health";
import { AppError } from "@/lib/server/errors";
import { acceptsWarmToken } from "@/lib/server/readiness";
import { warmLabelPath, warmLabelReads } from "@/lib/server/labelling/labelling";

export const GET = route({ role: "public", response: warmResponse }, async ({ db, req }) => {
  if (!acceptsWarmToken(req.headers.get(WARM_TOKEN_HEADER))) throw new AppError("NOT_FOUND", "not found");
  await warmLabelPath(db);
  return { rows: await warmLabelReads(db) };
});
