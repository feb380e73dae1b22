import { describe, expect, it } from "vitest";
import { scoreCanOrder, statsFromScoreGaps, type Preference } from "@/lib/rl/preferences";
import { tableAccuracy } from "@/lib/rl/reward-quality";
import type { Trajectory } from "@/lib/rl/trajectory";

// A corridor 0-1-2-3 with the goal at 3; the learned table ranks cells by how far along they are.
const run = (cells: number[]): Trajectory => ({
  cells: Int32Array.from(cells),
  actions: new Uint8Array(cells.length - 1),
  rewards: Float32Array.from({ length: cells.length - 1 }, (_, i) => (cells[i + 1] === 3 && i === cells.length - 2 ? 10 : 0)),
  return: cells[cells.length - 1] === 3 ? 10 : 0,
  length: cells.length - 1,
  success: cells[cells.length - 1] === 3,
});
const table = [0, 1, 2, 3];
const fast = run([0, 1, 2, 3]);
const slow = run([0, 1, 0, 1, 2, 3]);
const far = run([0, 1, 2, 2]);
const near = run([0, 1, 1, 1]);

describe("reward accuracy counts only pairs the score can order", () => {
  it("end score: two runs that ended in the same cell cannot be ordered, whatever the table", () => {
    expect(scoreCanOrder(fast, slow, "end")).toBe(false);
    expect(scoreCanOrder(far, near, "end")).toBe(true);
    // Summed step rewards see the detour.
    expect(scoreCanOrder(fast, slow, "sum")).toBe(true);
    expect(scoreCanOrder(fast, run([0, 1, 2, 3]), "sum")).toBe(false);
  });

  it("held-out accuracy on a known case: successes the teacher ordered by length are left out, and n says so", () => {
    const prefs: Preference[] = [
      // The teacher prefers the shorter success: the end score ties them (0 gap); the old metric counted this as an error.
      { left: fast, right: slow, label: 1 },
      { left: slow, right: fast, label: 0 },
      // Ordered failures: right, then wrong, then a success over a failure: right.
      { left: far, right: near, label: 1 },
      { left: near, right: far, label: 1 },
      { left: fast, right: near, label: 1 },
      // A tie is never counted.
      { left: far, right: near, label: 0.5 },
    ];
    expect(tableAccuracy(table, prefs, "end")).toEqual({ accuracy: 2 / 3, pairs: 3 });
    // Only unorderable pairs: no accuracy at all rather than 0%.
    expect(tableAccuracy(table, prefs.slice(0, 2), "end")).toEqual({ accuracy: null, pairs: 0 });
  });

  it("training stats: the same rule, with the loss still over every pair", () => {
    const s = statsFromScoreGaps([0, 0, 1, -1], [1, 0, 1, 1], [false, false, true, true]);
    expect(s.accuracy).toBe(0.5);
    expect(s.pairs).toBe(2);
    expect(s.margin).toBe(0);
    const all = statsFromScoreGaps([0, 0, 1, -1], [1, 0, 1, 1]);
    expect(all.pairs).toBe(4);
    expect(all.accuracy).toBe(0.25);
    expect(s.loss).toBe(all.loss);
  });
});
