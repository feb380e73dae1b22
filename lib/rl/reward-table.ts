// A per-cell reward model fitted exactly from few preferences, pure JS (no tf).
//
// The maze observation is one-hot, so any reward network is a lookup table over cells in disguise. Here the
// table is the parameter: Bradley-Terry on the labelled pairs, plus an L2 prior and a smoothness prior along
// the transitions the agent has seen (cells one step apart should have similar reward). The objective is
// convex, so a few Newton steps find its minimum: no learning rate, no saturation, no early stopping.
// The smoothness prior spreads what a handful of labels say about a few cells over every cell experience
// connects them to (semi-supervised, from unlabelled trajectories only; the maze itself is never read).
import type { Rng } from "../rng";
import type { Preference } from "./preferences";
import type { Trajectory } from "./trajectory";

/** sum / mean: of the step rewards of s_0..s_{T-1}; end: the reward of the cell the run ended in (a potential's progress). */
export const TABLE_SCORES = ["sum", "mean", "end"] as const;
export type TableScore = (typeof TABLE_SCORES)[number];

export interface TableFitOptions {
  score: TableScore;
  /** L2 prior on every cell's reward. */
  l2: number;
  /** Smoothness prior: weight of (r_a - r_b)^2 for every seen transition a -> b. */
  smooth: number;
  /** Newton steps at most (each solves its system by conjugate gradients). */
  maxSteps?: number;
}

/** The undirected graph of transitions seen so far, and which cells were visited. */
export class TransitionGraph {
  readonly visited: Uint8Array;
  /** Flat list of edges a0, b0, a1, b1, ... (each undirected edge once). */
  readonly edges: number[] = [];
  private readonly seen: Set<number> = new Set();

  constructor(readonly numCells: number) {
    this.visited = new Uint8Array(numCells);
  }

  add(t: Trajectory): void {
    for (let i = 0; i <= t.length; i++) {
      this.visited[t.cells[i]] = 1;
      if (i === t.length) break;
      this.addEdge(t.cells[i], t.cells[i + 1]);
    }
  }

  /** One transition between two cells (both then count as visited); self-loops and repeats are ignored. */
  addEdge(a: number, b: number): void {
    this.visited[a] = 1;
    this.visited[b] = 1;
    if (a === b) return;
    const n = this.numCells;
    const key = a < b ? a * n + b : b * n + a;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.edges.push(a, b);
  }
}

/** Sparse weights of each cell in Score(t). */
export function scoreRow(t: Trajectory, score: TableScore): Map<number, number> {
  const row = new Map<number, number>();
  if (score === "end") {
    row.set(t.cells[t.length], 1);
    return row;
  }
  const w = score === "mean" && t.length > 0 ? 1 / t.length : 1;
  for (let i = 0; i < t.length; i++) row.set(t.cells[i], (row.get(t.cells[i]) ?? 0) + w);
  return row;
}

export function scoreWithTable(table: ArrayLike<number>, t: Trajectory, score: TableScore): number {
  let s = 0;
  for (const [c, w] of scoreRow(t, score)) s += w * table[c];
  return s;
}

interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
}

/** Score(left) - Score(right) as a sparse row; cells on both sides cancel. */
export function diffRow(p: Pick<Preference, "left" | "right">, score: TableScore): SparseRow {
  const row = scoreRow(p.left, score);
  for (const [c, w] of scoreRow(p.right, score)) row.set(c, (row.get(c) ?? 0) - w);
  const entries = [...row].filter(([, w]) => w !== 0);
  return { idx: Int32Array.from(entries, (e) => e[0]), val: Float64Array.from(entries, (e) => e[1]) };
}

const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The MAP per-cell reward: argmin_r sum_i w_i BT(y_i, Score_l - Score_r) + l2/2 |r|^2 + smooth/2 sum_edges (r_a - r_b)^2.
 * `weights` (one per preference, default 1) lets an ensemble member fit a bootstrap resample; `init` warm-starts.
 */
export function fitRewardTable(
  prefs: readonly Preference[],
  graph: TransitionGraph | null,
  numCells: number,
  o: TableFitOptions,
  weights?: ArrayLike<number>,
  init?: ArrayLike<number>,
): Float64Array {
  const rows = prefs.map((p) => diffRow(p, o.score));
  const y = prefs.map((p) => p.label);
  const w = weights ?? new Float64Array(prefs.length).fill(1);
  const edges = graph?.edges ?? [];
  const r = init ? Float64Array.from(init) : new Float64Array(numCells);
  const l2 = Math.max(o.l2, 1e-9);

  const dot = (row: SparseRow, v: ArrayLike<number>) => {
    let s = 0;
    for (let k = 0; k < row.idx.length; k++) s += row.val[k] * v[row.idx[k]];
    return s;
  };
  const objective = (v: Float64Array) => {
    let j = 0;
    for (let i = 0; i < rows.length; i++) if (w[i]) j += w[i] * (softplus(dot(rows[i], v)) - y[i] * dot(rows[i], v));
    let sq = 0;
    for (const x of v) sq += x * x;
    let sm = 0;
    for (let e = 0; e < edges.length; e += 2) sm += (v[edges[e]] - v[edges[e + 1]]) ** 2;
    return j + (l2 / 2) * sq + (o.smooth / 2) * sm;
  };
  // Adds (l2 I + smooth L) v to out.
  const addPrior = (v: ArrayLike<number>, out: Float64Array) => {
    for (let c = 0; c < numCells; c++) out[c] += l2 * v[c];
    for (let e = 0; e < edges.length; e += 2) {
      const a = edges[e];
      const b = edges[e + 1];
      const d = o.smooth * (v[a] - v[b]);
      out[a] += d;
      out[b] -= d;
    }
  };

  let current = objective(r);
  for (let step = 0; step < (o.maxSteps ?? 20); step++) {
    const curv = new Float64Array(rows.length);
    const g = new Float64Array(numCells);
    rows.forEach((row, i) => {
      if (!w[i]) return;
      const s = sigmoid(dot(row, r));
      curv[i] = w[i] * s * (1 - s);
      const coef = w[i] * (s - y[i]);
      for (let k = 0; k < row.idx.length; k++) g[row.idx[k]] += coef * row.val[k];
    });
    addPrior(r, g);
    let gnorm = 0;
    for (const x of g) gnorm += x * x;
    if (Math.sqrt(gnorm) < 1e-7) break;
    const hess = (v: Float64Array) => {
      const out = new Float64Array(numCells);
      rows.forEach((row, i) => {
        if (!curv[i]) return;
        const c = curv[i] * dot(row, v);
        for (let k = 0; k < row.idx.length; k++) out[row.idx[k]] += c * row.val[k];
      });
      addPrior(v, out);
      return out;
    };
    const p = conjugateGradient(
      hess,
      g.map((x) => -x),
      200,
      1e-10,
    );
    // Backtracking: a full Newton step almost always decreases a smooth convex objective; halve it when not.
    let t = 1;
    let next = r;
    let value = current;
    for (let k = 0; k < 30; k++) {
      next = r.map((x, c) => x + t * p[c]);
      value = objective(next);
      if (value <= current) break;
      t /= 2;
    }
    if (!(value <= current)) break;
    const gain = current - value;
    r.set(next);
    current = value;
    if (gain < 1e-10 * Math.max(1, Math.abs(current))) break;
  }
  return r;
}

function conjugateGradient(mul: (v: Float64Array) => Float64Array, b: Float64Array, maxIter: number, tol: number): Float64Array {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = 0;
  for (const v of r) rr += v * v;
  const stop = tol * Math.max(rr, 1e-300);
  for (let it = 0; it < maxIter && rr > stop; it++) {
    const ap = mul(p);
    let pap = 0;
    for (let i = 0; i < p.length; i++) pap += p[i] * ap[i];
    if (pap <= 0) break;
    const alpha = rr / pap;
    let rrNew = 0;
    for (let i = 0; i < p.length; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      rrNew += r[i] * r[i];
    }
    const beta = rrNew / rr;
    for (let i = 0; i < p.length; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
  }
  return x;
}

/**
 * Members fitted on bootstrap resamples of the preferences (Poisson(1) weight per pair): their spread says
 * which comparisons the labels so far do not settle.
 */
export function fitEnsemble(
  prefs: readonly Preference[],
  graph: TransitionGraph | null,
  numCells: number,
  o: TableFitOptions,
  members: number,
  rng: Rng,
): Float64Array[] {
  const out: Float64Array[] = [];
  for (let m = 0; m < members; m++) {
    const w = Float64Array.from(prefs, () => poisson1(rng));
    out.push(fitRewardTable(prefs, graph, numCells, o, w));
  }
  return out;
}

function poisson1(rng: Rng): number {
  const l = Math.exp(-1);
  let k = 0;
  let p = rng.uniform();
  while (p > l) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

/**
 * Rescales a reward table into a potential in [-0.5, 0.5] over the `cells` that matter (visited, goal
 * excluded): the lowest-scored one -0.5, the highest 0.5, and the goal 0.5. So shaping strength is beta
 * alone, whatever the model's raw scale. Cells outside `cells` are clamped into the same range.
 * Where the range sits matters although shaping is invariant to it in theory: gamma * Phi(s) - Phi(s) =
 * -(1 - gamma) Phi(s) is paid for every step that stays put, and offsetting Phi is a constant step reward.
 * Measured (100 labels, 10 seeds): [-1, 0] (a bonus for idling far from the goal) 5/10 on a 16x16 maze;
 * [0, 1] (a cost for idling near it) 9/10 there but 9/10 on the 8x8 maze and 5/10 at 50 labels on the
 * dead-end maze; centred [-0.5, 0.5] 10/10, 10/10 and 10/10.
 */
export function normalizedPotential(table: ArrayLike<number>, cells: ArrayLike<number> | null, goal: number): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < table.length; c++) {
    if (c === goal || (cells && !cells[c])) continue;
    lo = Math.min(lo, table[c]);
    hi = Math.max(hi, table[c]);
  }
  const out = new Float32Array(table.length);
  if (!(hi > lo)) {
    out[goal] = 0.5;
    return out;
  }
  for (let c = 0; c < table.length; c++) out[c] = c === goal ? 0.5 : Math.min(0.5, Math.max(-0.5, (table[c] - lo) / (hi - lo) - 0.5));
  return out;
}
