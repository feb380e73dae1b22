import { describe, expect, it } from "vitest";
import { choiceToLabel, makeTeacher, TEACHER_PRESETS, type TeacherKind, type TiePolicy } from "@/lib/labelers";
import type { Trajectory } from "@/lib/rl/trajectory";
import { Rng } from "@/lib/rng";

// Distances: cell c is c steps from the goal (cell 0).
const ctx = { goalReward: 10, distances: Int32Array.from({ length: 10 }, (_, i) => i) };
const traj = (cells: number[], rewards: number[]): Trajectory => ({
  cells: Int32Array.from(cells),
  actions: new Uint8Array(rewards.length),
  rewards: Float32Array.from(rewards),
  return: rewards.reduce((a, b) => a + b, 0),
  length: rewards.length,
  success: rewards.some((r) => r > 0),
});
const win = traj([3, 2, 1, 0], [0, 0, 10]);
const longWin = traj([3, 4, 3, 2, 1, 0], [0, 0, 0, 0, 10]);
const nearFail = traj([5, 4, 2], [0, 0]);
const farFail = traj([5, 6, 7], [0, 0]);
const teacher = (kind: TeacherKind, tiePolicy: TiePolicy = "equal") => makeTeacher({ kind, tiePolicy, ...TEACHER_PRESETS[kind] }, ctx);

describe("synthetic teachers", () => {
  it("the original return labeller: higher return wins; a tie goes to the right side", () => {
    const t = teacher("return");
    const rng = new Rng(0);
    expect(t.judge(win, farFail, rng)).toBe("left");
    expect(t.judge(farFail, win, rng)).toBe("right");
    expect(t.judge(nearFail, farFail, rng)).toBe("right");
    expect(t.judge(farFail, nearFail, rng)).toBe("right");
  });

  it("oracle with each tie policy", () => {
    const rng = new Rng(0);
    expect(teacher("oracle", "equal").judge(nearFail, farFail, rng)).toBe("equal");
    expect(teacher("oracle", "drop").judge(nearFail, farFail, rng)).toBe("skip");
    expect(teacher("oracle", "shorter").judge(farFail, nearFail, rng)).toBe("right"); // ends nearer the goal
    expect(teacher("oracle", "shorter").judge(longWin, win, rng)).toBe("right"); // same return, shorter path
    expect(teacher("oracle", "shorter").judge(win, win, rng)).toBe("equal");
  });

  it("mistake flips about 10% of answers; noisy follows the Boltzmann probability", () => {
    const rng = new Rng(42);
    const n = 4000;
    const flips = Array.from({ length: n }, () => teacher("mistake").judge(win, farFail, rng)).filter((c) => c === "right").length / n;
    expect(flips).toBeGreaterThan(0.08);
    expect(flips).toBeLessThan(0.12);
    const close = traj([1, 0], [0.3]);
    const noisyLeft = Array.from({ length: n }, () => teacher("noisy").judge(close, farFail, rng)).filter((c) => c === "left").length / n;
    expect(noisyLeft).toBeGreaterThan(1 / (1 + Math.exp(-0.3)) - 0.03);
    expect(noisyLeft).toBeLessThan(1 / (1 + Math.exp(-0.3)) + 0.03);
  });

  it("skip and equal thresholds; myopic weighs late rewards more", () => {
    const rng = new Rng(1);
    expect(teacher("skip").judge(nearFail, farFail, rng)).toBe("skip");
    expect(teacher("skip").judge(win, farFail, rng)).toBe("left");
    expect(teacher("equal").judge(traj([1, 0], [0.5]), farFail, rng)).toBe("equal");
    const early = traj([1, 1, 1], [1, 0]);
    const late = traj([1, 1, 1], [0, 0.95]);
    expect(teacher("oracle").judge(early, late, rng)).toBe("left");
    expect(teacher("myopic").judge(early, late, rng)).toBe("right");
  });

  it("maps choices to labels", () => {
    expect(["left", "right", "equal", "skip"].map((c) => choiceToLabel(c as never))).toEqual([1, 0, 0.5, null]);
  });
});
