// Active pair selection: train a small ensemble of reward models on the labels so far and ask people
// (or the teacher) about the pairs the members disagree on most (variance of P(left better)).
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../rng";
import { adam, minimize, RewardNet } from "./nets";
import { buildBatch, preferenceLoss, type Preference, type ScoreMode } from "./preferences";
import { stepStates, type Trajectory } from "./trajectory";

export interface EnsembleOptions {
  members: number;
  hidden: number;
  learningRate: number;
  updates: number;
  batchSize: number;
  score: ScoreMode;
  clipNorm: number;
}

/** Score(t) under a per-cell reward table: the sum or mean of the step rewards of s_0..s_{T-1}. */
export function scoreWithTable(table: ArrayLike<number>, t: Trajectory, mode: ScoreMode): number {
  if (mode === "end") return table[t.cells[t.length]];
  let s = 0;
  for (const c of stepStates(t)) s += table[c];
  return mode === "mean" && t.length > 0 ? s / t.length : s;
}

/**
 * Per-cell reward tables of `members` reward models, each trained on a bootstrap resample of `prefs`.
 * Returns null when there are too few preferences to say anything (the caller falls back to random pairs).
 */
export function ensembleTables(prefs: readonly Preference[], numCells: number, rng: Rng, o: EnsembleOptions): Float32Array[] | null {
  if (prefs.length < 4) return null;
  const tables: Float32Array[] = [];
  for (let m = 0; m < o.members; m++) {
    const net = new RewardNet(new Rng(rng.seed()), numCells, o.hidden);
    const optimizer = adam(o.learningRate);
    try {
      for (let u = 0; u < o.updates; u++) {
        const sample = Array.from({ length: Math.min(o.batchSize, prefs.length) }, () => prefs[rng.int(prefs.length)]);
        const batch = buildBatch(sample, o.score);
        minimize(optimizer, net.variables, () => preferenceLoss(net, batch, numCells), o.clipNorm);
      }
      tables.push(tf.tidy(() => net.apply(tf.eye(numCells) as tf.Tensor2D).dataSync() as Float32Array));
    } finally {
      net.dispose();
      optimizer.dispose();
    }
  }
  return tables;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Variance over members of P(left better) = sigmoid(Score(left) - Score(right)). */
export function disagreement(tables: readonly ArrayLike<number>[], left: Trajectory, right: Trajectory, mode: ScoreMode): number {
  const ps = tables.map((t) => sigmoid(scoreWithTable(t, left, mode) - scoreWithTable(t, right, mode)));
  const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
  return ps.reduce((a, p) => a + (p - mean) ** 2, 0) / ps.length;
}

/** Two trajectories that visit the same cells in the same order tell a labeller nothing. */
export function sameSteps(a: Trajectory, b: Trajectory): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i <= a.length; i++) if (a.cells[i] !== b.cells[i]) return false;
  return true;
}

export interface CandidatePair {
  left: number;
  right: number;
  priority: number;
}

/**
 * Chooses `count` distinct pairs among `pool` (indices into it). Random: uniform pairs, random priority.
 * Disagreement: the top `count` of 4x as many random candidates by ensemble variance.
 */
export function choosePairs(
  pool: readonly Trajectory[],
  count: number,
  rng: Rng,
  tables: readonly ArrayLike<number>[] | null,
  score: ScoreMode,
): CandidatePair[] {
  if (pool.length < 2) return [];
  const maxPairs = (pool.length * (pool.length - 1)) / 2;
  const want = Math.min(count, maxPairs);
  const candidates = tables ? Math.min(maxPairs, want * 4) : want;
  const seen = new Set<string>();
  const out: CandidatePair[] = [];
  for (let tries = 0; out.length < candidates && tries < candidates * 20; tries++) {
    let [i, j] = rng.sample(
      Array.from({ length: pool.length }, (_, k) => k),
      2,
    );
    const key = i < j ? `${i}:${j}` : `${j}:${i}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (sameSteps(pool[i], pool[j]) && tries < candidates * 10) continue;
    if (rng.uniform() < 0.5) [i, j] = [j, i];
    const priority = tables ? disagreement(tables, pool[i], pool[j], score) : rng.uniform();
    out.push({ left: i, right: j, priority });
  }
  return out.sort((a, b) => b.priority - a.priority).slice(0, want);
}
