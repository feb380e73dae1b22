import { describe, expect, it } from "vitest";
import { apparentDistances, makeTeacher, TEACHER_PRESETS, type TiePolicy } from "@/lib/labelers";
import { distancesToGoal, parseLayout } from "@/lib/maze";
import type { Trajectory } from "@/lib/rl/trajectory";
import { Rng } from "@/lib/rng";

// Goal G at (3,0) behind a wall: the pocket at the bottom right looks close to it but is not.
//   S . . .     true maze distances:  9 8 7 6
//   # # # .                           - - - 5
//   . . . .                           1 2 3 4
//   G # . .                           0 - 4 5
//   # # . .                           - - 5 6
const layout = parseLayout(["S...", "###.", "....", "G#..", "##.."].join("\n"));
const dist = distancesToGoal(layout);
const cell = (r: number, c: number) => r * layout.cols + c;
const endAt = (c: number): Trajectory => ({
  cells: Int32Array.from([layout.start, c]),
  actions: new Uint8Array(1),
  rewards: new Float32Array(1),
  return: 0,
  length: 1,
  success: false,
});
const teacher = (tiePolicy: TiePolicy) =>
  makeTeacher({ kind: "oracle", tiePolicy, ...TEACHER_PRESETS.oracle }, { goalReward: 10, distances: dist, cols: layout.cols, goal: layout.goal });

describe("human-like teacher (how close an end looks)", () => {
  it("apparent distances ignore walls", () => {
    const m = apparentDistances(6, 3, 5, "manhattan");
    expect(Array.from(m)).toEqual([3, 2, 1, 2, 1, 0]);
    expect(apparentDistances(6, 3, 5, "euclidean")[0]).toBeCloseTo(Math.hypot(1, 2));
  });

  it("prefers the end that looks closer even when the maze makes it farther; the oracle does not", () => {
    const nearLooking = cell(4, 2); // Manhattan 3 from the goal, but behind the wall at (3,1)
    const farLooking = cell(2, 3); // Manhattan 4 from the goal, truly closer
    expect(dist[farLooking]).toBeLessThan(dist[nearLooking]);
    const rng = new Rng(0);
    expect(teacher("manhattan").judge(endAt(nearLooking), endAt(farLooking), rng)).toBe("left");
    expect(teacher("euclidean").judge(endAt(nearLooking), endAt(farLooking), rng)).toBe("left");
    expect(teacher("shorter").judge(endAt(nearLooking), endAt(farLooking), rng)).toBe("right");
  });

  it("a success still beats any failure, and needs the grid to be told", () => {
    const win: Trajectory = { ...endAt(layout.goal), rewards: Float32Array.from([10]), return: 10, success: true };
    expect(teacher("manhattan").judge(endAt(cell(2, 0)), win, new Rng(1))).toBe("right");
    expect(() => makeTeacher({ kind: "oracle", tiePolicy: "manhattan", ...TEACHER_PRESETS.oracle }, { goalReward: 10, distances: dist })).toThrow(/grid width/);
  });
});

describe("mistake teacher", () => {
  it("also flips its ranking of two failures, at the configured rate", () => {
    const t = makeTeacher({ kind: "mistake", tiePolicy: "shorter", ...TEACHER_PRESETS.mistake, epsMistake: 0.2 }, { goalReward: 10, distances: dist });
    const rng = new Rng(7);
    const n = 4000;
    const wrong = Array.from({ length: n }, () => t.judge(endAt(cell(2, 3)), endAt(cell(4, 2)), rng)).filter((c) => c === "right").length / n;
    expect(wrong).toBeGreaterThan(0.17);
    expect(wrong).toBeLessThan(0.23);
  });
});
