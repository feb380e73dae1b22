// Everything the experiment dashboards plot (GET /api/experiments/:id/dashboard).
import { z } from "zod";
import { idSchema } from "./ids";
import { COUNTED_CHOICES, LABELLING_MODES } from "./words";

export const episodePointSchema = z.strictObject({
  episode: z.number().int(),
  round: z.number().int(),
  /** Episode number within its round, from 0 (for comparing rounds). */
  inRound: z.number().int(),
  return: z.number(),
  returnMA: z.number(),
  success: z.number(),
  successMA: z.number(),
  length: z.number(),
  policyLoss: z.number().nullable(),
  epsilon: z.number(),
});
export type EpisodePoint = z.infer<typeof episodePointSchema>;

/** What a finished round reports (the learning core computes it; the database keeps it as a metric row). */
const roundSummaryFields = {
  round: z.number().int(),
  episodes: z.number().int(),
  meanReturn: z.number(),
  successRate: z.number(),
  evalSuccess: z.number(),
  evalMeanLength: z.number(),
  rewardLoss: z.number().nullable(),
  rewardAccuracy: z.number().nullable(),
  /** Over decided held-out labels whose two runs the score can tell apart (with `end`: runs that ended in different cells). */
  heldOutAccuracy: z.number().nullable(),
  /** How many held-out labels heldOutAccuracy is measured on. */
  heldOutPairs: z.number().int(),
  trainPreferences: z.number().int(),
  policyLoss: z.number().nullable(),
  spearman: z.number().nullable(),
  pairs: z.number().int(),
  labels: z.strictObject({ human: z.number().int(), synthetic: z.number().int() }),
};
export const roundSummarySchema = z.strictObject({ ...roundSummaryFields, rewardTable: z.array(z.number()) });
export type RoundSummary = z.infer<typeof roundSummarySchema>;

/** A round's summary on the dashboard: without its reward table, with the round's id. */
export const roundMetricsSchema = z.strictObject({ roundId: z.string(), ...roundSummaryFields });
export type RoundMetrics = z.infer<typeof roundMetricsSchema>;

const count = z.number().int().min(0);
/** Agreement counts, human choice -> synthetic choice -> pairs. */
const agreementMatrix = z.record(z.enum(COUNTED_CHOICES), z.record(z.enum(COUNTED_CHOICES), count));

export const dashboardSchema = z.strictObject({
  experiment: z.strictObject({ id: idSchema, name: z.string(), labellingMode: z.enum(LABELLING_MODES), teacher: z.string() }),
  episodes: z.array(episodePointSchema),
  rewardUpdates: z.array(z.strictObject({ step: z.number().int(), round: z.number().int(), loss: z.number(), accuracy: z.number().nullable() })),
  rounds: z.array(roundMetricsSchema),
  heatmap: z.strictObject({
    rows: z.number().int(),
    cols: z.number().int(),
    walls: z.array(z.boolean()),
    start: z.number().int(),
    goal: z.number().int(),
    potential: z.array(z.number().nullable()),
    learned: z.array(z.number()).nullable(),
    round: z.number().int().nullable(),
    spearman: z.number().nullable(),
  }),
  labels: z.strictObject({
    bySource: z.strictObject({ human: count, synthetic: count }),
    byPerson: z.array(z.strictObject({ name: z.string(), left: count, right: count, equal: count, skip: count, total: count })),
  }),
  agreement: z.strictObject({ pairs: count, compared: count, agree: count, rate: z.number().nullable(), matrix: agreementMatrix }),
});
export type DashboardDto = z.infer<typeof dashboardSchema>;
