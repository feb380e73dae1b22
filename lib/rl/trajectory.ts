/** One episode. `cells` holds s_0..s_T (T + 1 entries); step t moves from cells[t] by actions[t] and earns rewards[t]. */
export interface Trajectory {
  cells: Int32Array;
  actions: Uint8Array;
  rewards: Float32Array;
  return: number;
  length: number;
  success: boolean;
}

/** The states the process reward model scores: s_0..s_{T-1}, the state each step was taken from. */
export const stepStates = (t: Trajectory): Int32Array => t.cells.subarray(0, t.length);
