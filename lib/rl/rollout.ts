import type { MazeEnv } from "../maze/env";
import type { Trajectory } from "./trajectory";

/** Plays one episode from the start, asking `chooseAction` for each step's action given the current cell. */
export function rollout(env: MazeEnv, chooseAction: (cell: number) => number): Trajectory {
  const cells = [env.reset()];
  const actions: number[] = [];
  const rewards: number[] = [];
  let ret = 0;
  for (;;) {
    const action = chooseAction(cells[cells.length - 1]);
    const step = env.step(action);
    cells.push(step.cell);
    actions.push(action);
    rewards.push(step.reward);
    ret += step.reward;
    if (step.done) {
      return {
        cells: Int32Array.from(cells),
        actions: Uint8Array.from(actions),
        rewards: Float32Array.from(rewards),
        return: ret,
        length: actions.length,
        success: step.success,
      };
    }
  }
}
