// Which pairs of trajectories to show the teacher: pure functions of the pool, the current reward tables
// and what was labelled already, so the per-episode trainer and a round-based loop can share them.
import type { Rng } from "../rng";
import { scoreWithTable, type TableScore } from "./reward-table";
import type { Trajectory } from "./trajectory";

export interface ScoredPair {
  left: number;
  right: number;
  priority: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Variance over ensemble members of P(left better) = sigmoid(Score(left) - Score(right)). */
export function pairDisagreement(tables: readonly ArrayLike<number>[], left: Trajectory, right: Trajectory, score: TableScore): number {
  if (tables.length < 2) return 0;
  const ps = tables.map((t) => sigmoid(scoreWithTable(t, left, score) - scoreWithTable(t, right, score)));
  const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
  return ps.reduce((a, p) => a + (p - mean) ** 2, 0) / ps.length;
}

/** Two runs that ended in the same cell after the same number of steps: most teachers cannot tell them apart. */
export function indistinct(a: Trajectory, b: Trajectory): boolean {
  return a.cells[a.length] === b.cells[b.length] && a.length === b.length && a.success === b.success;
}

/** Up to `n` distinct random index pairs (i != j), skipping indistinct ones while others are available. */
export function randomCandidates(pool: readonly Trajectory[], n: number, rng: Rng): [number, number][] {
  const out: [number, number][] = [];
  if (pool.length < 2) return out;
  const seen = new Set<number>();
  const m = pool.length;
  for (let tries = 0; out.length < n && tries < n * 10; tries++) {
    const i = rng.int(m);
    let j = rng.int(m - 1);
    if (j >= i) j++;
    const key = Math.min(i, j) * m + Math.max(i, j);
    if (seen.has(key)) continue;
    seen.add(key);
    if (indistinct(pool[i], pool[j]) && tries < n * 5) continue;
    out.push([i, j]);
  }
  return out;
}

export interface SelectOptions {
  method: "random" | "disagreement" | "ends";
  count: number;
  candidates: number;
  score: TableScore;
  /** Ensemble reward tables (disagreement; also breaks ties for ends). */
  tables?: readonly ArrayLike<number>[];
  /** How many labels already involved a run ending in each cell (ends). */
  endLabels?: ArrayLike<number>;
}

/**
 * Chooses `count` pairs from `candidates` random ones, best priority first.
 * random: candidates as drawn; disagreement: ensemble variance; ends: pairs ending in different cells,
 * preferring cells no label has covered yet (a label about a new place says most).
 */
export function selectPairs(pool: readonly Trajectory[], rng: Rng, o: SelectOptions): ScoredPair[] {
  const cands = randomCandidates(pool, o.method === "random" ? o.count : Math.max(o.count, o.candidates), rng);
  const end = (t: Trajectory) => t.cells[t.length];
  const scored = cands.map(([i, j]) => {
    let priority = 0;
    if (o.method === "disagreement") priority = o.tables ? pairDisagreement(o.tables, pool[i], pool[j], o.score) : rng.uniform();
    else if (o.method === "ends") {
      const a = end(pool[i]);
      const b = end(pool[j]);
      const novelty = a === b ? 0 : 1 / (1 + (o.endLabels?.[a] ?? 0)) + 1 / (1 + (o.endLabels?.[b] ?? 0));
      priority = novelty + (o.tables ? pairDisagreement(o.tables, pool[i], pool[j], o.score) : 0);
    } else priority = 0;
    return { left: i, right: j, priority };
  });
  if (o.method !== "random") scored.sort((x, y) => y.priority - x.priority);
  return scored.slice(0, o.count);
}
