import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { exportDataset, importDataset } from "@/lib/server/labelling/dataset";
import { AppError } from "@/lib/server/errors";
import { nextPair, recordLabel } from "@/lib/server/labelling/queue";
import { insertExperiment } from "@/lib/server/experiments/experiments";
import { DATASET_FORMAT, type DatasetLine } from "@/lib/contracts/dataset";
import { BACKENDS, freshDb, seedExperiment, seedUsers, uniqueName } from "./backends";

/** The dataset without the ids that an import renews, for comparing two exports. */
function content(jsonl: string) {
  return jsonl
    .trim()
    .split("\n")
    .map((text) => {
      const line = JSON.parse(text) as DatasetLine;
      const { id: _p, ...pair } = line.pair;
      const { id: _l, ...left } = line.left;
      const { id: _r, ...right } = line.right;
      return { pair, left, right, labels: line.labels.map(({ id: _id, ...label }) => label) };
    });
}

async function expectValidation(promise: Promise<unknown>, message: RegExp) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("VALIDATION");
  expect((err as AppError).message).toMatch(message);
}

describe.each(BACKENDS)("preference dataset (JSONL) on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  /** An experiment with human labels, a skip, a synthetic label, and an unlabelled pair. */
  async function labelledExperiment() {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 4, labelsPerPair: 2, labellingMode: "mixed" });
    const [a, b] = await seedUsers(db, 2);
    const label = async (userId: string, choice: "left" | "right" | "equal" | "skip") => {
      const pair = await nextPair(db, { experimentId: experiment.id, userId });
      return recordLabel(db, { labelId: randomUUID(), experimentId: experiment.id, pairId: pair!.pairId, source: "human", userId, choice, responseMs: 900 });
    };
    await label(a.id, "left"); // pair 0
    await label(b.id, "skip"); // b skips pair 0 ...
    await label(b.id, "right"); // ... and labels pair 1
    await label(a.id, "equal"); // pair 1: done
    await recordLabel(db, { labelId: randomUUID(), experimentId: experiment.id, pairId: pairIds[2], source: "synthetic", teacher: "oracle", choice: "left" });
    return { experiment, pairIds, users: [a, b] };
  }

  it("export then import (into another experiment) gives the same dataset", async () => {
    const { experiment } = await labelledExperiment();
    const exported = await exportDataset(db, experiment.id);
    const lines = exported.trim().split("\n");
    expect(lines).toHaveLength(3); // pair 3 has no label
    const first = JSON.parse(lines[0]) as DatasetLine;
    expect(first.format).toBe(DATASET_FORMAT);
    expect(first.labels.map((l) => l.choice)).toEqual(["left", "skip"]);
    expect(first.left.cells).toHaveLength(first.left.actions.length + 1);

    const target = await insertExperiment(db, { name: uniqueName("copy"), config: {}, labellingMode: "mixed", labelsPerPair: 2 });
    const summary = await importDataset(db, target.id, exported);
    expect(summary).toEqual({ pairs: 3, trajectories: 6, labels: 5, usersCreated: 0 });
    const again = await exportDataset(db, target.id);
    expect(content(again)).toEqual(content(exported));

    // The import keeps the queue's bookkeeping: done pairs are done, slots are taken.
    const pairs = await db.pair.findMany({ where: { experimentId: target.id }, orderBy: { createdAt: "asc" } });
    expect(pairs.map((p) => [p.status, p.labelsDone])).toEqual([
      ["open", 1],
      ["done", 2],
      ["open", 1],
    ]);
    expect(await db.lease.count({ where: { pair: { experimentId: target.id } } })).toBe(4);
  });

  it("an import into a fresh database creates the labellers by name", async () => {
    const { experiment } = await labelledExperiment();
    const exported = await exportDataset(db, experiment.id);
    const other = await freshDb(backend);
    try {
      const target = await insertExperiment(other.db, { name: "imported", config: {}, labellingMode: "mixed", labelsPerPair: 2 });
      const summary = await importDataset(other.db, target.id, exported);
      expect(summary.usersCreated).toBe(2);
      expect(content(await exportDataset(other.db, target.id))).toEqual(content(exported));
    } finally {
      await other.close();
    }
  });

  it("a malformed line is an error naming its line number, and nothing is written", async () => {
    const { experiment } = await labelledExperiment();
    const exported = await exportDataset(db, experiment.id);
    const lines = exported.trim().split("\n");
    const target = await insertExperiment(db, { name: uniqueName("bad"), config: {}, labelsPerPair: 2 });
    const counts = async () => ({
      trajectories: await db.trajectory.count({ where: { experimentId: target.id } }),
      pairs: await db.pair.count({ where: { experimentId: target.id } }),
      labels: await db.label.count({ where: { pair: { experimentId: target.id } } }),
      users: await db.user.count(),
    });
    const before = await counts();

    const broken = (lineIndex: number, edit: (line: DatasetLine) => unknown) =>
      lines.map((text, i) => (i === lineIndex ? JSON.stringify(edit(JSON.parse(text) as DatasetLine)) : text)).join("\n");

    await expectValidation(importDataset(db, target.id, [lines[0], "{not json", lines[1]].join("\n")), /^line 2: not valid JSON/);
    await expectValidation(
      importDataset(
        db,
        target.id,
        broken(2, (l) => ({ ...l, labels: [{ ...l.labels[0], choice: "maybe" }] })),
      ),
      /^line 3: labels\.0\.choice/,
    );
    await expectValidation(
      importDataset(
        db,
        target.id,
        broken(1, (l) => ({ ...l, left: { ...l.left, cells: l.left.cells.slice(1) } })),
      ),
      /^line 2: left\.cells/,
    );
    await expectValidation(
      importDataset(
        db,
        target.id,
        broken(0, (l) => ({ ...l, labels: [{ ...l.labels[0], user: "ghost-1" }, ...l.labels.slice(1), { ...l.labels[0], user: "ghost-1" }] })),
      ),
      /^line 1: labels: user ghost-1 labelled the pair twice/,
    );
    await expectValidation(importDataset(db, target.id, `${lines[0]}\n${lines[0]}`), /^line 2: pair .* already given on line 1/);
    await expectValidation(
      importDataset(
        db,
        target.id,
        broken(0, (l) => ({ ...l, format: "other" })),
      ),
      /^line 1: format/,
    );
    expect(await counts()).toEqual(before);

    const missing = await importDataset(db, "no-such-experiment", exported).catch((e: unknown) => e);
    expect((missing as AppError).code).toBe("NOT_FOUND");
    expect(await counts()).toEqual(before);
  });
});
