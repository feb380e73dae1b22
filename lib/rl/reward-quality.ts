// How good a learned reward table is: against held-out labels, and against the maze's true potential.
import { parseLayout } from "../maze/layout";
import { truePotential } from "../maze/truth";
import { scoreWithTable } from "./ensemble";
import { scoreCanOrder, statsFromScoreGaps, type Preference, type ScoreMode } from "./preferences";
import { spearman } from "./stats";

/**
 * Held-out accuracy of `table`: the share of decided preferences the score can order (scoreCanOrder) whose
 * preferred side scores higher, and how many pairs that is (accuracy null when none).
 */
export function tableAccuracy(table: ArrayLike<number>, prefs: readonly Preference[], mode: ScoreMode): { accuracy: number | null; pairs: number } {
  const gaps = prefs.map((p) => scoreWithTable(table, p.left, mode) - scoreWithTable(table, p.right, mode));
  const s = statsFromScoreGaps(
    gaps,
    prefs.map((p) => p.label),
    prefs.map((p) => scoreCanOrder(p.left, p.right, mode)),
  );
  return { accuracy: s.pairs ? s.accuracy : null, pairs: s.pairs };
}

/** Rank correlation of the learned reward with the true potential -distance, over free cells except the goal. */
export function rewardVsPotential(layoutText: string, table: ArrayLike<number>): number | null {
  const layout = parseLayout(layoutText);
  const phi = truePotential(layout);
  const x: number[] = [];
  const y: number[] = [];
  for (let c = 0; c < phi.length; c++) {
    if (Number.isNaN(phi[c]) || c === layout.goal) continue;
    x.push(table[c]);
    y.push(phi[c]);
  }
  return spearman(x, y);
}
