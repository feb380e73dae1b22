import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { createExperiment, getExperimentDto, listExperiments } from "@/lib/server/experiments/experiments";
import { createPairs, insertTrajectories } from "@/lib/server/labelling/pairs";
import { recordLabel } from "@/lib/server/labelling/queue";
import { DEFAULT_EXPERIMENT_INPUT } from "@/lib/contracts/experiment";
import { BACKENDS, freshDb, trajectory, uniqueName } from "./backends";

const input = (name: string) => ({ ...DEFAULT_EXPERIMENT_INPUT, name, maze: { kind: "text" as const, text: "S..\n.#.\n..G" } });

describe.each(BACKENDS)("experiment summaries on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  it("counts trajectories, open pairs, labels (skips too) and rounds per experiment, newest first", async () => {
    const empty = await createExperiment(db, input(uniqueName("empty")));
    await new Promise((r) => setTimeout(r, 5)); // distinct creation times: the list is newest first
    const busy = await createExperiment(db, input(uniqueName("busy")));
    const ids = await insertTrajectories(
      db,
      busy.id,
      Array.from({ length: 6 }, (_, i) => trajectory(3, i)),
    );
    const pairs = await createPairs(
      db,
      busy.id,
      [0, 2, 4].map((i) => ({ leftId: ids[i], rightId: ids[i + 1], selection: "random" })),
    );
    const label = (pairId: string, choice: "left" | "skip") =>
      recordLabel(db, { labelId: randomUUID(), pairId, experimentId: busy.id, source: "synthetic", teacher: "oracle", choice });
    await label(pairs[0], "left"); // closes pair 0 (one label wanted)
    await label(pairs[1], "skip"); // counted as a label, the pair stays open
    await db.trainingRound.create({ data: { experimentId: busy.id, index: 1, episodesTotal: 10, status: "done" } });
    await db.trainingRound.create({ data: { experimentId: busy.id, index: 2, episodesTotal: 10 } });

    const list = await listExperiments(db);
    expect(list.map((e) => e.id)).toEqual([busy.id, empty.id]);
    expect(list[0].counts).toEqual({ trajectories: 6, openPairs: 2, labels: 2, rounds: 2 });
    expect(list[0].latestRound).toMatchObject({ index: 2, status: "queued" });
    expect(list[1].counts).toEqual({ trajectories: 0, openPairs: 0, labels: 0, rounds: 0 });
    expect(list[1].latestRound).toBeNull();

    const one = await getExperimentDto(db, busy.id);
    expect(one.counts).toEqual(list[0].counts);
    expect(one.latestRound?.index).toBe(2);
  });
});
