// GET /api/label/targets - experiments people can label now: the round waiting for labels first, at most 20
import { labelTargets } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { labelTargetsResponse } from "@/lib/contracts/label";

export const GET = route({ role: "labeler", response: labelTargetsResponse }, ({ db }) => labelTargets(db));
