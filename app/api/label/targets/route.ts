// GET /api/label/targets - experiments people can label now, with their open pair counts
import { labelTargets } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { labelTargetsResponse } from "@/lib/contracts/label";

export const GET = route({ role: "labeler", response: labelTargetsResponse }, async ({ db }) => ({ experiments: await labelTargets(db) }));
