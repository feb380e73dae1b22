// How good and how fast each labeller is, measured against the maze's exact truth (GET /api/experiments/:id/labellers).
import { z } from "zod";

const count = z.number().int().min(0);
const share = z.number().min(0).max(1).nullable();

export const labellerQualitySchema = z.strictObject({
  user: z.string(),
  /** Decided labels (left, right, equal) on the experiment's pairs, gold pairs included. */
  decided: count,
  skips: count,
  /** Every decided label against the exact-truth judgement of its pair. */
  truth: z.strictObject({ compared: count, agree: count, rate: share }),
  /** Gold pairs only (known-answer pairs mixed into the queue): labelled and right. */
  gold: z.strictObject({ labels: count, correct: count, rate: share }),
  /** Median time from the pair showing to the choice, over decided labels that carry one. */
  medianResponseMs: z.number().nullable(),
});
export type LabellerQualityDto = z.infer<typeof labellerQualitySchema>;

export const labellersResponse = z.strictObject({ labellers: z.array(labellerQualitySchema) });
export type LabellersDto = z.infer<typeof labellersResponse>;
