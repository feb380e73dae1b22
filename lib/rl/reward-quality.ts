// How good a learned reward table is: against held-out labels, and against the maze's true potential.
import { parseLayout } from "../maze/layout";
import { truePotential } from "../maze/truth";
import { scoreWithTable } from "./ensemble";
import type { Preference, ScoreMode } from "./preferences";
import { spearman } from "./stats";

/** Share of decided held-out preferences whose preferred side scores higher under `table`. */
export function tableAccuracy(table: ArrayLike<number>, prefs: readonly Preference[], mode: ScoreMode): number | null {
  let decided = 0;
  let correct = 0;
  for (const p of prefs) {
    if (p.label === 0.5) continue;
    decided++;
    const z = scoreWithTable(table, p.left, mode) - scoreWithTable(table, p.right, mode);
    if ((p.label > 0.5 ? z : -z) > 0) correct++;
  }
  return decided ? correct / decided : null;
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
