// The probes a load balancer or orchestrator calls (README "Running several instances"): no session, nothing about
// the instance but its state.
import { z } from "zod";
import { INSTANCE_STATES } from "./words";

export { INSTANCE_STATES, type InstanceState } from "./words";

/** GET /api/health (liveness): 200 whenever the process serves, with its state. */
export const healthResponse = z.strictObject({ state: z.enum(INSTANCE_STATES) });

/** GET /api/health/ready (readiness): 200 once warm; before that a 503 in the error shape (lib/contracts/errors.ts). */
export const readyResponse = z.strictObject({ state: z.literal("ready") });

/** GET /api/health/warm: the HTTP warm-up's call, with this header; whether there were real rows to read. */
export const WARM_TOKEN_HEADER = "x-oprl-warm-token";
export const warmResponse = z.strictObject({ rows: z.boolean() });
