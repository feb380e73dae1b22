import { describe, expect, it } from "vitest";
import { cellOf, distancesToGoal, judgeByTruth, parseLayout } from "@/lib/maze";

// A wall between the start row and the goal: the cell right under the goal is close in a straight line but far by the maze.
const layout = parseLayout(["S...", "###.", "G..."].join("\n"));
const dist = distancesToGoal(layout);
const run = (cells: number[], success = false) => ({ cells, success });
const at = (r: number, c: number) => cellOf(layout, r, c);

describe("judgeByTruth", () => {
  it("prefers the run that reached the goal, whatever its length", () => {
    const long = run([at(0, 0), at(0, 1), at(0, 2), at(0, 3), at(1, 3), at(2, 3), at(2, 2), at(2, 1), at(2, 0)], true);
    expect(judgeByTruth(dist, long, run([at(0, 0), at(0, 1)]))).toBe("left");
    expect(judgeByTruth(dist, run([at(0, 0)]), long)).toBe("right");
  });

  it("else the run that ended fewer true maze steps from the goal, not the one that looks closer", () => {
    // (0,0) is 2 rows above the goal but 8 maze steps away; (2,3) looks 3 columns away and is 3 steps away.
    expect(dist[at(0, 0)]).toBe(8);
    expect(dist[at(2, 3)]).toBe(3);
    const looksClose = run([at(0, 0), at(0, 1), at(0, 0)]);
    const trulyCloser = run([at(0, 0), at(0, 1), at(0, 2), at(0, 3), at(1, 3), at(2, 3)]);
    expect(judgeByTruth(dist, looksClose, trulyCloser)).toBe("right");
  });

  it("else the shorter run, else equal", () => {
    const a = run([at(0, 0), at(0, 1)]);
    const b = run([at(0, 0), at(0, 0), at(0, 1)]);
    expect(judgeByTruth(dist, a, b)).toBe("left");
    expect(judgeByTruth(dist, b, a)).toBe("right");
    expect(judgeByTruth(dist, a, run([at(0, 0), at(0, 1)]))).toBe("equal");
  });
});
