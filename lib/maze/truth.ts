import { NUM_ACTIONS, transitionTable } from "./env";
import { neighbours, type MazeLayout } from "./layout";

export const UNREACHABLE = -1;

/** Shortest number of steps from every cell to the goal (BFS from the goal); walls and cut-off cells: -1. */
export function distancesToGoal(layout: MazeLayout): Int32Array {
  const dist = new Int32Array(layout.rows * layout.cols).fill(UNREACHABLE);
  dist[layout.goal] = 0;
  const queue = [layout.goal];
  for (let i = 0; i < queue.length; i++) {
    const cell = queue[i];
    for (const n of neighbours(layout, cell)) {
      if (dist[n] === UNREACHABLE) {
        dist[n] = dist[cell] + 1;
        queue.push(n);
      }
    }
  }
  return dist;
}

/** The true potential the dashboards compare learned rewards with: Phi(s) = -distance to goal (NaN where unreachable). */
export function truePotential(layout: MazeLayout): Float64Array {
  const dist = distancesToGoal(layout);
  return Float64Array.from(dist, (d) => (d === UNREACHABLE ? Number.NaN : -d));
}

export interface ValueIterationResult {
  /** V*(s) for the discounted goal reward, 0 at the (absorbing) goal. */
  values: Float64Array;
  /** For every cell, the bitmask of optimal actions (bit a set when action a is optimal). */
  optimalActions: Uint8Array;
  iterations: number;
}

/**
 * Value iteration on the deterministic maze: Q(s,a) = r(s,a) + gamma * V(s') with r = goalReward on
 * entering the goal; the goal is terminal. Ties within `tolerance` count as equally optimal.
 */
export function valueIteration(layout: MazeLayout, { gamma = 0.98, goalReward = 10, tolerance = 1e-9, maxIterations = 10_000 } = {}): ValueIterationResult {
  const n = layout.rows * layout.cols;
  const next = transitionTable(layout);
  const values = new Float64Array(n);
  const q = (s: number, a: number) => {
    const s2 = next[s * NUM_ACTIONS + a];
    return s2 === layout.goal ? goalReward : gamma * values[s2];
  };
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let delta = 0;
    for (let s = 0; s < n; s++) {
      if (layout.walls[s] || s === layout.goal) continue;
      let best = -Infinity;
      for (let a = 0; a < NUM_ACTIONS; a++) best = Math.max(best, q(s, a));
      delta = Math.max(delta, Math.abs(best - values[s]));
      values[s] = best;
    }
    if (delta < tolerance) break;
  }
  const optimalActions = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    if (layout.walls[s] || s === layout.goal) continue;
    let best = -Infinity;
    for (let a = 0; a < NUM_ACTIONS; a++) best = Math.max(best, q(s, a));
    for (let a = 0; a < NUM_ACTIONS; a++) if (best - q(s, a) <= 1e-9 * Math.max(1, Math.abs(best))) optimalActions[s] |= 1 << a;
  }
  return { values, optimalActions, iterations };
}

/** The parts of a run the exact judgement looks at: cells visited (start included) and whether it reached the goal. */
export interface JudgedRun {
  cells: ArrayLike<number>;
  success: boolean;
}

/**
 * The exact-truth judgement of a pair, the rule the labelling guide teaches: the run that reached the goal is
 * better; else the one that ended fewer true maze steps (BFS distance) from the goal; else the shorter one;
 * else they are equal. `distances` is distancesToGoal of the maze.
 */
export function judgeByTruth(distances: ArrayLike<number>, left: JudgedRun, right: JudgedRun): "left" | "right" | "equal" {
  if (left.success !== right.success) return left.success ? "left" : "right";
  const end = (r: JudgedRun) => {
    const d = distances[r.cells[r.cells.length - 1]];
    return d === UNREACHABLE ? Number.POSITIVE_INFINITY : d;
  };
  const dl = end(left);
  const dr = end(right);
  if (dl !== dr) return dl < dr ? "left" : "right";
  if (left.cells.length !== right.cells.length) return left.cells.length < right.cells.length ? "left" : "right";
  return "equal";
}
