// When to ask the teacher and how many labels: a pure function of the episode and the labels used so far.
import type { TrainConfig } from "./config";

export type LabelPlan = Pick<TrainConfig["preferences"], "every" | "startAfter" | "perQuery" | "budget" | "schedule" | "horizon">;

/**
 * Labels to ask for at `episode`, given `used` labels so far; never more than the budget leaves.
 * every / adaptive: perQuery at every `every`-th episode from startAfter (adaptive may then ask fewer).
 * spread: the budget evenly over episodes startAfter .. startAfter + horizon - 1, in chunks of perQuery.
 */
export function labelsDue(plan: LabelPlan, episode: number, used: number): number {
  const left = plan.budget === null ? Infinity : Math.max(0, plan.budget - used);
  if (left === 0 || episode < plan.startAfter || plan.perQuery === 0) return 0;
  if (plan.schedule !== "spread" || plan.budget === null) {
    return episode % plan.every === 0 ? Math.min(plan.perQuery, left) : 0;
  }
  const k = episode - plan.startAfter + 1;
  const target = Math.min(plan.budget, Math.ceil((plan.budget * Math.min(k, plan.horizon)) / plan.horizon));
  const owed = target - used;
  if (owed <= 0) return 0;
  return owed >= plan.perQuery || target === plan.budget ? Math.min(owed, left) : 0;
}
