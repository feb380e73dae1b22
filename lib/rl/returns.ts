/** G_t = r_t + gamma * G_{t+1}, with G_T = bootstrap (0 when the episode ended at a terminal state). */
export function discountedReturns(rewards: ArrayLike<number>, gamma: number, bootstrap = 0): Float32Array {
  const out = new Float32Array(rewards.length);
  let g = bootstrap;
  for (let t = rewards.length - 1; t >= 0; t--) {
    g = rewards[t] + gamma * g;
    out[t] = g;
  }
  return out;
}

/**
 * Generalised advantage estimation. values has T + 1 entries (V(s_0)..V(s_T)); V(s_T) must be 0 when the
 * episode ended at a terminal state. delta_t = r_t + gamma * V(s_t+1) - V(s_t); A_t = delta_t + gamma * lambda * A_t+1.
 */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lambda: number): Float32Array {
  const T = rewards.length;
  if (values.length !== T + 1) throw new RangeError(`gae: expected ${T + 1} values, got ${values.length}`);
  const adv = new Float32Array(T);
  let next = 0;
  for (let t = T - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * values[t + 1] - values[t];
    next = delta + gamma * lambda * next;
    adv[t] = next;
  }
  return adv;
}

/** (x - mean) / (std + eps) with the unbiased std, as torch's Tensor.std() (the original's normalisation). */
export function standardize(x: Float32Array, eps = 1e-8): Float32Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return x.map((v) => (v - mean) / (std + eps));
}
