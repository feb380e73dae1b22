// GET /api/label/queue?experiment=ID - what waits for the caller and the round waiting for labels; leases nothing
import { z } from "zod";
import { queueStatus } from "@/lib/server/labelling/labelling";
import { route } from "@/lib/server/http/route";
import { idSchema } from "@/lib/contracts/ids";
import { queueStatusResponse } from "@/lib/contracts/label";

const querySchema = z.object({ experiment: idSchema });

export const GET = route({ role: "labeler", query: querySchema, response: queueStatusResponse }, ({ db, user, query }) =>
  queueStatus(db, query.experiment, user.id),
);
