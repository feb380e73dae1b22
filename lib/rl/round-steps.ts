// The named steps of a training round, in order (no imports: the web's round views read these too).
export const ROUND_STEPS = ["collecting", "selecting", "labelling", "reward-model", "policy", "evaluating"] as const;
export type RoundStep = (typeof ROUND_STEPS)[number];
