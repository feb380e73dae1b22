// Rank statistics for the learned reward, pure (no tf): lib/rl must not depend on lib/server.

/** Average ranks (ties share the mean of their positions), 1-based. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    i = j + 1;
  }
  return out;
}

export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2 || y.length !== n) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation: Pearson's on the (tie-averaged) ranks. Null when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(ranks(x), ranks(y));
}

/**
 * How faithful a per-cell reward is: Spearman of reward vs -distance to the goal over the reachable free
 * cells except the goal (the goal is terminal, its own reward never shapes anything).
 */
export function rewardSpearman(table: ArrayLike<number>, distances: Int32Array, goal: number): number | null {
  const x: number[] = [];
  const y: number[] = [];
  for (let c = 0; c < distances.length; c++) {
    if (c === goal || distances[c] < 0) continue;
    x.push(table[c]);
    y.push(-distances[c]);
  }
  return spearman(x, y);
}
