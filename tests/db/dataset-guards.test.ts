// A JSONL import is held to what the API accepts and to the experiment's maze (issue 11): cells outside the maze
// or in a wall, moves the maze does not make, paths longer than its episodes, label times and priorities no
// client could send, names the sign-up form refuses, oversized lines and files. Each is refused with the line
// and field named, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { importDataset } from "@/lib/server/labelling/dataset";
import { AppError } from "@/lib/server/errors";
import { createExperiment } from "@/lib/server/experiments/experiments";
import { createExperimentSchema } from "@/lib/contracts/experiment";
import { DATASET_FORMAT } from "@/lib/contracts/dataset";
import { BACKENDS, freshDb, uniqueName } from "./backends";

// S . . .      cells  0  1  2  3
// . # . .             4  5  6  7
// . # . .             8  9 10 11
// . . . G            12 13 14 15
const MAZE = "S...\n.#..\n.#..\n...G";
const along = { actions: [1, 1, 1, 2, 2, 2], cells: [0, 1, 2, 3, 7, 11, 15] };
const down = { actions: [2, 2, 2, 1, 1, 1], cells: [0, 4, 8, 12, 13, 14, 15] };

type Line = Record<string, any>;
function line(n: number, edit: (l: Line) => void = () => {}): string {
  const traj = (id: string, t: { actions: number[]; cells: number[] }) => ({
    id,
    round: 0,
    policyVersion: 0,
    return: 1,
    success: true,
    ...t,
    rewards: t.actions.map(() => 0),
  });
  const l: Line = {
    format: DATASET_FORMAT,
    pair: { id: `pair-${n}`, selection: "random", priority: 1, status: "open", labelsWanted: 1, createdAt: "2026-01-01T00:00:00.000Z" },
    left: traj(`left-${n}`, along),
    right: traj(`right-${n}`, down),
    labels: [{ id: `label-000${n}`, source: "human", user: "alice", teacher: null, choice: "left", responseMs: 900, createdAt: "2026-01-01T00:00:01.000Z" }],
  };
  edit(l);
  return JSON.stringify(l);
}

describe.each(BACKENDS)("dataset import guards on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let experimentId: string;
  const counts = async () => ({
    trajectories: await db.trajectory.count(),
    pairs: await db.pair.count(),
    labels: await db.label.count(),
    leases: await db.lease.count(),
    users: await db.user.count(),
  });
  async function refused(jsonl: string, message: RegExp) {
    const before = await counts();
    const err = await importDataset(db, experimentId, jsonl).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("VALIDATION");
    expect((err as AppError).message).toMatch(message);
    expect(await counts()).toEqual(before);
  }

  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
    const input = createExperimentSchema.parse({
      name: uniqueName("guards"),
      preset: "default",
      seed: 1,
      maze: { kind: "text", text: MAZE },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "human",
      labelsPerPair: 1,
      episodesPerRound: 20,
      pairsPerRound: 6,
      pairSelection: "random",
      labelTimeLimitSec: 30,
    });
    experimentId = (await createExperiment(db, input)).id;
    await db.user.create({ data: { name: "alice" } });
  });
  afterAll(async () => close?.());

  it("a good file imports (the fixture is valid), names trimmed like the sign-up form and matched to the existing account", async () => {
    const before = await counts();
    const summary = await importDataset(db, experimentId, [line(1), line(2, (l) => (l.labels[0].user = "  alice "))].join("\n"));
    expect(summary).toEqual({ pairs: 2, trajectories: 4, labels: 2, usersCreated: 0 });
    expect((await counts()).users).toBe(before.users);
  });

  it("cells outside the maze or in a wall, and moves the maze does not make, are refused", async () => {
    await refused(
      line(1, (l) => (l.left.cells = [0, 1, 2, 3, 7, 11, 65535])),
      /^line 1: left\.cells\.6: cell 65535 is outside the 4x4 maze/,
    );
    await refused(
      line(1, (l) => (l.right.cells = [0, 4, 5, 12, 13, 14, 15])),
      /^line 1: right\.cells\.2: cell 5 is a wall/,
    );
    await refused(
      line(1, (l) => (l.left.actions = [1, 1, 1, 2, 2, 3])),
      /^line 1: left\.actions\.5: action 3 from cell 11 does not lead to cell 15/,
    );
  });

  it("a path longer than the experiment's episodes is refused (maxSteps + 1 cells at most)", async () => {
    // 4x4 with the default preset: maxSteps 60. 61 moves into the top wall stay on the start cell.
    const stuck = { actions: Array(61).fill(0), cells: Array(62).fill(0), rewards: Array(61).fill(0) };
    await refused(
      line(1, (l) => Object.assign(l.left, stuck)),
      /^line 1: left: 61 steps, the experiment's mazes end after 60/,
    );
  });

  it("label times, priorities and values no client could send are refused", async () => {
    await refused(
      line(1, (l) => (l.labels[0].responseMs = 1e11)),
      /^line 1: labels\.0\.responseMs/,
    );
    await refused(
      line(1, (l) => (l.pair.priority = 1e308)),
      /^line 1: pair\.priority: priority: at most/,
    );
    await refused(
      line(1, (l) => (l.left.rewards[0] = -1e300)),
      /^line 1: left\.rewards\.0/,
    );
  });

  it("user names the sign-up form refuses (markup, spaces inside) are refused", async () => {
    await refused(
      line(1, (l) => (l.labels[0].user = "<img src=x onerror=alert(1)>")),
      /^line 1: labels\.0\.user/,
    );
    await refused(
      line(1, (l) => (l.labels[0].user = "ad min")),
      /^line 1: labels\.0\.user/,
    );
  });

  it("oversized lines and files are refused; every bad line is listed", async () => {
    await refused(
      line(1, (l) => (l.pair.selection = `random${" ".repeat(300 * 1024)}`)),
      /^line 1: longer than 262144 bytes/,
    );
    await refused("\n".repeat(100_000) + line(1), /more than 100000 lines/);
    await refused(
      [line(1), line(2, (l) => (l.labels[0].responseMs = -1)), line(3), "{"].join("\n"),
      /^line 2: labels\.0\.responseMs.*\nline 4: not valid JSON/s,
    );
  });
});
