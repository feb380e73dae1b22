// Everything the experiment dashboards plot (GET /api/experiments/:id/dashboard).
import { z } from "zod";
import { idSchema } from "./ids";
import { COUNTED_CHOICES, LABELLING_MODES } from "./words";
import type { ExperimentDto } from "./experiment";
import type { LabellersDto } from "./labellers";
import type { RoundDto } from "./round";

/**
 * One point of the episode curves: a bucket of consecutive episodes of one round (one episode per bucket while
 * the experiment is short; long runs are aggregated on the server so the browser gets a bounded number of points).
 */
export const episodePointSchema = z.strictObject({
  /** First episode of the bucket. */
  episode: z.number().int(),
  /** Episodes in the bucket. */
  episodes: z.number().int().min(1),
  round: z.number().int(),
  /** First episode of the bucket, counted within its round from 0 (for comparing rounds). */
  inRound: z.number().int(),
  /** Mean, lowest and highest return of the bucket's episodes. */
  return: z.number(),
  returnMin: z.number(),
  returnMax: z.number(),
  /** Moving average over at least MOVING_AVERAGE_WINDOW episodes (whole buckets). */
  returnMA: z.number(),
  /** Share of the bucket's episodes that reached the goal, 0..1. */
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

export { MOVING_AVERAGE_WINDOW } from "./episode-curves";

export const dashboardSchema = z.strictObject({
  /** Changes whenever anything drawn here changes: send it back as `since` to get `{ unchanged: true }` instead. */
  version: z.string(),
  experiment: z.strictObject({ id: idSchema, name: z.string(), labellingMode: z.enum(LABELLING_MODES), teacher: z.string() }),
  episodes: z.array(episodePointSchema),
  /** Episodes stored, and how many episodes each point aggregates at most. */
  episodeStats: z.strictObject({ total: count, bucketSize: z.number().int().min(1) }),
  rewardUpdates: z.array(z.strictObject({ step: z.number().int(), round: z.number().int(), loss: z.number(), accuracy: z.number().nullable() })),
  /** Reward-model steps stored (the chart shows every `stride`-th). */
  rewardUpdateStats: z.strictObject({ total: count, stride: z.number().int().min(1) }),
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

export const dashboardQuerySchema = z.strictObject({ since: z.string().max(200).optional() });
/** The dashboard, or only its version when it has not changed since the `since` the client sent. */
export const dashboardResponse = z.union([dashboardSchema, z.strictObject({ unchanged: z.literal(true), version: z.string() })]);
export type DashboardResponse = z.infer<typeof dashboardResponse>;

/**
 * What the experiment page is rendered with (lib/server/experiments/first-view.ts): the answers its first polls would
 * get, trimmed to the first screen. `rounds`: the latest rounds only. `dashboard`: when `dashboardComplete` is false,
 * its `rounds` holds the last round only and `rewardUpdates` is empty; the page's first poll fetches the whole.
 */
export type ExperimentFirstView = {
  experiment: ExperimentDto;
  rounds: RoundDto[];
  dashboard: DashboardDto;
  dashboardComplete: boolean;
  labellers: LabellersDto;
};
