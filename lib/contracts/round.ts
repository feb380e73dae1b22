// Training rounds as the web sees them (the experiment page polls these).
import { z } from "zod";
import { idSchema, isoDate } from "./ids";
import { ROUND_PHASES, ROUND_STATUSES } from "./words";

export const startRoundSchema = z
  .object({
    /** Overrides the experiment's episodes per round for this round only. */
    episodes: z.number().int("a whole number").min(1, "at least 1").max(5000, "at most 5000").optional(),
  })
  .strict();
export type StartRoundInput = z.infer<typeof startRoundSchema>;

export const roundSchema = z.strictObject({
  id: idSchema,
  experimentId: idSchema,
  index: z.number().int(),
  status: z.enum(ROUND_STATUSES),
  phase: z.enum(ROUND_PHASES),
  progress: z.number(),
  episodesDone: z.number().int(),
  episodesTotal: z.number().int(),
  labels: z.strictObject({ have: z.number(), target: z.number(), deadline: isoDate.nullable() }),
  /** Estimated seconds until the round finishes; null while unknown. */
  etaSeconds: z.number().nullable(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  heartbeatAt: isoDate.nullable(),
  error: z.string().nullable(),
  note: z.string().nullable(),
});
export type RoundDto = z.infer<typeof roundSchema>;

export const roundResponse = z.strictObject({ round: roundSchema });
export const roundsResponse = z.strictObject({ rounds: z.array(roundSchema) });
