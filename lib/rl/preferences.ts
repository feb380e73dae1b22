import * as tf from "@tensorflow/tfjs";
import { oneHot, type RewardNet } from "./nets";
import { stepStates, type Trajectory } from "./trajectory";

/** A judged pair: `label` is the probability that `left` is better (1 left, 0 right, 0.5 a tie). */
export interface Preference {
  left: Trajectory;
  right: Trajectory;
  label: number;
}

/** Trajectory score from step rewards: the original sums them; the published method takes the mean; end: the reward of the cell the run ended in. */
export type ScoreMode = "sum" | "mean" | "end";

/**
 * A batch in the form the loss needs. Score(left) - Score(right) is linear in the step rewards of the
 * distinct states: (C_left - C_right) r, with C the visit counts (divided by length for the mean). So the
 * reward model runs once per distinct state and the whole batch is one matmul.
 */
export interface PreferenceBatch {
  /** Distinct states of the batch. */
  cells: Int32Array;
  /** [pairs x cells] row-major: weight of each distinct state in Score(left) - Score(right). */
  diff: Float32Array;
  labels: Float32Array;
  size: number;
}

export function buildBatch(prefs: readonly Preference[], score: ScoreMode): PreferenceBatch {
  const index = new Map<number, number>();
  const cellsOf = (t: Trajectory) => (score === "end" ? t.cells.subarray(t.length, t.length + 1) : stepStates(t));
  for (const p of prefs) {
    for (const t of [p.left, p.right]) for (const c of cellsOf(t)) if (!index.has(c)) index.set(c, index.size);
  }
  const u = index.size;
  const diff = new Float32Array(prefs.length * u);
  prefs.forEach((p, i) => {
    for (const [t, sign] of [
      [p.left, 1],
      [p.right, -1],
    ] as const) {
      const w = score === "mean" ? sign / t.length : sign;
      for (const c of cellsOf(t)) diff[i * u + index.get(c)!] += w;
    }
  });
  return { cells: Int32Array.from(index.keys()), diff, labels: Float32Array.from(prefs, (p) => p.label), size: prefs.length };
}

/** Bradley-Terry negative log-likelihood with soft labels, averaged: softplus(z) - y z, z = Score(l) - Score(r). */
export function preferenceLoss(prm: RewardNet, batch: PreferenceBatch, numCells: number): tf.Scalar {
  return tf.tidy(() => {
    const rewards = prm.apply(oneHot(batch.cells, numCells)).reshape([-1, 1]);
    const z = tf.tensor2d(batch.diff, [batch.size, batch.cells.length]).matMul(rewards).reshape([-1]);
    const y = tf.tensor1d(batch.labels);
    return tf.softplus(z).sub(y.mul(z)).mean() as tf.Scalar;
  });
}

export interface PreferenceStats {
  loss: number;
  /** Share of decided pairs the score can order (see scoreCanOrder) whose preferred side scores higher. */
  accuracy: number;
  /** Mean score lead of the preferred side over the other (the same pairs). */
  margin: number;
  /** How many pairs accuracy and margin are measured on. */
  pairs: number;
}

/** Stats of a batch (forward pass only). */
export function preferenceStats(prm: RewardNet, batch: PreferenceBatch, numCells: number): PreferenceStats {
  const r = tf.tidy(() => prm.apply(oneHot(batch.cells, numCells)).dataSync());
  const u = batch.cells.length;
  const leads: number[] = [];
  const orderable: boolean[] = [];
  for (let i = 0; i < batch.size; i++) {
    let z = 0;
    let any = false;
    for (let j = 0; j < u; j++) {
      z += batch.diff[i * u + j] * r[j];
      any ||= Math.abs(batch.diff[i * u + j]) > 1e-9;
    }
    leads.push(z);
    orderable.push(any);
  }
  return statsFromScoreGaps(leads, batch.labels, orderable);
}

/**
 * Whether any reward table could score the two sides differently under `mode`. With `end`, two runs that
 * ended in the same cell (say both at the goal) always tie, so no model can be right or wrong about them:
 * counting them as errors made accuracy read 20% on pairs of successes the teacher ordered by length.
 */
export function scoreCanOrder(left: Trajectory, right: Trajectory, mode: ScoreMode): boolean {
  if (mode === "end") return left.cells[left.length] !== right.cells[right.length];
  const w = new Map<number, number>();
  for (const [t, sign] of [
    [left, 1],
    [right, -1],
  ] as const) {
    const k = mode === "mean" ? sign / t.length : sign;
    for (const c of stepStates(t)) w.set(c, (w.get(c) ?? 0) + k);
  }
  for (const v of w.values()) if (Math.abs(v) > 1e-9) return true;
  return false;
}

/**
 * Bradley-Terry loss, accuracy and margin from each pair's score gap z = Score(left) - Score(right) and its
 * label (1 left better, 0 right better, 0.5 equal): whatever model produced the scores. Accuracy and margin
 * count decided pairs the score can order (`orderable`, default all); the loss counts every pair.
 */
export function statsFromScoreGaps(gaps: ArrayLike<number>, labels: ArrayLike<number>, orderable?: ArrayLike<boolean>): PreferenceStats {
  let loss = 0;
  let correct = 0;
  let decided = 0;
  let margin = 0;
  for (let i = 0; i < gaps.length; i++) {
    const z = gaps[i];
    const y = labels[i];
    loss += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
    if (y !== 0.5 && (!orderable || orderable[i])) {
      const lead = y > 0.5 ? z : -z;
      decided++;
      margin += lead;
      if (lead > 0) correct++;
    }
  }
  return {
    loss: gaps.length ? loss / gaps.length : 0,
    accuracy: decided ? correct / decided : Number.NaN,
    margin: decided ? margin / decided : Number.NaN,
    pairs: decided,
  };
}
