// Self-imitation (Oh et al. 2018, in our words): keep the agent's best successes and, at every policy update,
// push the policy towards their actions wherever they did better than the critic expects. A path once found
// is then not forgotten while exploration or a changing shaped reward pulls the policy elsewhere.
import { discountedReturns } from "./returns";
import type { Trajectory } from "./trajectory";

/** The `capacity` shortest distinct successful trajectories seen so far. */
export class SuccessMemory {
  readonly items: Trajectory[] = [];
  constructor(readonly capacity: number) {}

  /** Keeps `t` if it is a success, not already kept (same cells), and among the shortest; returns whether kept. */
  add(t: Trajectory): boolean {
    if (!t.success) return false;
    if (this.items.some((s) => sameCells(s, t))) return false;
    if (this.items.length >= this.capacity && t.length >= this.items[this.items.length - 1].length) return false;
    this.items.push(t);
    this.items.sort((a, b) => a.length - b.length);
    if (this.items.length > this.capacity) this.items.pop();
    return true;
  }

  get length() {
    return this.items.length;
  }
}

function sameCells(a: Trajectory, b: Trajectory): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i <= a.length; i++) if (a.cells[i] !== b.cells[i]) return false;
  return true;
}

/**
 * Self-imitation targets of one replayed success: states, actions and the clipped advantage
 * max(0, R_t - V(s_t)) with R_t the discounted (scaled) environment return from step t.
 */
export function selfImitationTargets(
  t: Trajectory,
  values: ArrayLike<number>,
  gamma: number,
  rewardScale: number,
): { states: number[]; actions: number[]; returns: number[]; advantages: number[] } {
  const returns = Array.from(
    discountedReturns(
      t.rewards.map((r) => r * rewardScale),
      gamma,
    ),
  );
  const states = Array.from(t.cells.subarray(0, t.length));
  const advantages = returns.map((g, i) => Math.max(0, g - values[states[i]]));
  return { states, actions: Array.from(t.actions), returns, advantages };
}
