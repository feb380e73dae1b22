import { MOVES, rowColOf, type MazeLayout } from "./layout";

export const ACTIONS = ["up", "right", "down", "left"] as const;
export type Action = 0 | 1 | 2 | 3;
export const NUM_ACTIONS = ACTIONS.length;

export interface MazeEnvOptions {
  /** Episode ends after this many steps (the original: 60). */
  maxSteps?: number;
  /** Reward on reaching the goal (the original: 10); every other step gives 0. */
  goalReward?: number;
}

export interface StepResult {
  cell: number;
  reward: number;
  done: boolean;
  /** The goal was reached on this step. */
  success: boolean;
}

/**
 * The sparse-reward grid maze. Observations are cell indices; `observe` turns one into the one-hot
 * vector the networks read. Moving into a wall or off the grid leaves the agent in place.
 */
export class MazeEnv {
  readonly maxSteps: number;
  readonly goalReward: number;
  readonly numCells: number;
  private cell: number;
  private steps = 0;
  private finished = false;
  /** next[cell * 4 + action]: the cell an action leads to, precomputed once. */
  private readonly next: Int32Array;

  constructor(
    readonly layout: MazeLayout,
    { maxSteps = 60, goalReward = 10 }: MazeEnvOptions = {},
  ) {
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
    if (!Number.isFinite(goalReward)) throw new RangeError(`goalReward must be a finite number, got ${goalReward}`);
    this.maxSteps = maxSteps;
    this.goalReward = goalReward;
    this.numCells = layout.rows * layout.cols;
    this.cell = layout.start;
    this.next = transitionTable(layout);
  }

  reset(): number {
    this.cell = this.layout.start;
    this.steps = 0;
    this.finished = false;
    return this.cell;
  }

  step(action: number): StepResult {
    if (this.finished) throw new Error("MazeEnv.step called after the episode ended; call reset()");
    if (!(action === 0 || action === 1 || action === 2 || action === 3)) {
      throw new RangeError(`action must be 0 (up), 1 (right), 2 (down) or 3 (left), got ${action}`);
    }
    this.cell = this.next[this.cell * NUM_ACTIONS + action];
    this.steps++;
    const success = this.cell === this.layout.goal;
    this.finished = success || this.steps >= this.maxSteps;
    return { cell: this.cell, reward: success ? this.goalReward : 0, done: this.finished, success };
  }

  get position(): number {
    return this.cell;
  }

  observe(cell: number = this.cell): Float32Array {
    const obs = new Float32Array(this.numCells);
    obs[cell] = 1;
    return obs;
  }
}

export function transitionTable(layout: MazeLayout): Int32Array {
  const n = layout.rows * layout.cols;
  const table = new Int32Array(n * NUM_ACTIONS);
  for (let cell = 0; cell < n; cell++) {
    const [r, c] = rowColOf(layout, cell);
    MOVES.forEach(([dr, dc], a) => {
      const nr = r + dr;
      const nc = c + dc;
      const inside = nr >= 0 && nc >= 0 && nr < layout.rows && nc < layout.cols;
      const target = nr * layout.cols + nc;
      table[cell * NUM_ACTIONS + a] = inside && !layout.walls[target] ? target : cell;
    });
  }
  return table;
}
