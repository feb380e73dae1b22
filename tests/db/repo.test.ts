import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db";
import { AppError } from "@/lib/server/errors";
import { nextPair, recordLabel } from "@/lib/server/queue";
import {
  createExperiment,
  createPairs,
  createUser,
  getExperiment,
  insertTrajectories,
  latestCheckpoint,
  listMetrics,
  listTrainingData,
  recordMetrics,
  retirePair,
  saveCheckpoint,
} from "@/lib/server/repo";
import { BACKENDS, freshDb, seedExperiment, seedUsers, trajectory, uniqueName } from "./backends";

async function expectAppError(promise: Promise<unknown>, code: AppError["code"]) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

describe.each(BACKENDS)("data access on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  it("stores an experiment with its config as JSON text and reads it back", async () => {
    const config = { maze: { kind: "text", text: "S.#\n..G" }, seed: 42, shaping: { beta: 0.5 } };
    const created = await createExperiment(db, { name: uniqueName("exp"), config, labellingMode: "mixed", labelsPerPair: 3 });
    expect(created).toMatchObject({ labellingMode: "mixed", labelsPerPair: 3, status: "draft" });
    expect((await getExperiment(db, created.id)).config).toEqual(config);
    await expectAppError(getExperiment(db, "missing"), "NOT_FOUND");
    await expectAppError(createExperiment(db, { name: "", config }), "VALIDATION");
    await expectAppError(createExperiment(db, { name: "x", config, labelsPerPair: 0 }), "VALIDATION");
  });

  it("inserts trajectories in bulk and gives them back decoded", async () => {
    const experiment = await createExperiment(db, { name: uniqueName("exp"), config: {} });
    const inputs = Array.from({ length: 1200 }, (_, i) => trajectory(5 + (i % 30), i, i % 3));
    const ids = await insertTrajectories(db, experiment.id, inputs);
    expect(ids).toHaveLength(1200);
    const row = await db.trajectory.findUniqueOrThrow({ where: { id: ids[7] } });
    expect(row.length).toBe(inputs[7].actions.length);
    expect(row.return).toBeCloseTo(inputs[7].rewards.reduce((a, b) => a + b, 0), 5);
    expect(await db.trajectory.count({ where: { experimentId: experiment.id, round: 1 } })).toBe(400);
  });

  it("refuses bad trajectories and pairs as a whole, writing nothing", async () => {
    const experiment = await createExperiment(db, { name: uniqueName("exp"), config: {} });
    const other = await createExperiment(db, { name: uniqueName("exp"), config: {} });
    const good = trajectory(4, 1);
    await expectAppError(insertTrajectories(db, experiment.id, [good, { ...good, actions: [0, 1, 2, 7] }]), "VALIDATION");
    await expectAppError(insertTrajectories(db, experiment.id, [good, { ...good, cells: [1, 2] }]), "VALIDATION");
    await expectAppError(insertTrajectories(db, "no-such-experiment", [good]), "NOT_FOUND");
    expect(await db.trajectory.count({ where: { experimentId: experiment.id } })).toBe(0);

    const [t1, t2] = await insertTrajectories(db, experiment.id, [good, trajectory(3, 2)]);
    const [foreign] = await insertTrajectories(db, other.id, [good]);
    await expectAppError(createPairs(db, experiment.id, [{ leftId: t1, rightId: t1, selection: "random" }]), "VALIDATION");
    await expectAppError(createPairs(db, experiment.id, [{ leftId: t1, rightId: t2, selection: "Random Pick!" }]), "VALIDATION");
    await expectAppError(
      createPairs(db, experiment.id, [
        { leftId: t1, rightId: t2, selection: "random" },
        { leftId: t1, rightId: foreign, selection: "random" },
      ]),
      "NOT_FOUND",
    );
    expect(await db.pair.count({ where: { experimentId: experiment.id } })).toBe(0);
    const [pairId] = await createPairs(db, experiment.id, [{ leftId: t1, rightId: t2, selection: "disagreement", priority: 0.7 }]);
    expect(await db.pair.findUniqueOrThrow({ where: { id: pairId } })).toMatchObject({ labelsWanted: 1, priority: 0.7, status: "open" });
  });

  it("lists labelled pairs for training with both trajectories and their non-skip labels", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 3, labelsPerPair: 2, labellingMode: "mixed" });
    const [a, b] = await seedUsers(db, 2);
    const human = async (userId: string, choice: "left" | "right" | "skip") => {
      const pair = await nextPair(db, { experimentId: experiment.id, userId });
      await recordLabel(db, { labelId: randomUUID(), experimentId: experiment.id, pairId: pair!.pairId, source: "human", userId, choice });
    };
    await human(a.id, "left"); // pair 0
    await human(b.id, "skip"); // pair 0, skipped
    await human(b.id, "right"); // pair 1
    await recordLabel(db, { labelId: randomUUID(), experimentId: experiment.id, pairId: pairIds[1], source: "synthetic", teacher: "oracle", choice: "left" });

    const data = await listTrainingData(db, experiment.id);
    expect(data.map((p) => p.pairId)).toEqual([pairIds[0], pairIds[1]]);
    expect(data[0].labels.map((l) => [l.source, l.choice])).toEqual([["human", "left"]]);
    expect(data[1].labels.map((l) => [l.source, l.choice, l.teacher])).toEqual([
      ["human", "right", null],
      ["synthetic", "left", "oracle"],
    ]);
    expect(data[0].left.cells).toHaveLength(data[0].left.actions.length + 1);
    expect(data[0].left.rewards).toHaveLength(data[0].left.actions.length);

    const later = await listTrainingData(db, experiment.id, { since: new Date(Date.now() + 60_000) });
    expect(later).toEqual([]);
    await retirePair(db, pairIds[2]);
    expect((await db.pair.findUniqueOrThrow({ where: { id: pairIds[2] } })).status).toBe("retired");
    await expectAppError(retirePair(db, "missing"), "NOT_FOUND");
  });

  it("saves checkpoints and returns the latest with its weights decoded", async () => {
    const experiment = await createExperiment(db, { name: uniqueName("exp"), config: {} });
    expect(await latestCheckpoint(db, experiment.id)).toBeNull();
    const round = await db.trainingRound.create({ data: { experimentId: experiment.id, index: 0 } });
    await saveCheckpoint(db, { experimentId: experiment.id, roundId: round.id, policyWeights: [1, 2, 3], rewardWeights: [0.5], meta: { v: 1 } });
    const policy = Float32Array.from({ length: 5000 }, (_, i) => Math.cos(i));
    const second = await saveCheckpoint(db, { experimentId: experiment.id, policyWeights: policy, rewardWeights: new Float32Array(64), meta: { v: 2, shapes: [[64, 4]] } });
    const latest = await latestCheckpoint(db, experiment.id);
    expect(latest?.id).toBe(second.id);
    expect(latest?.policyWeights).toEqual(policy);
    expect(latest?.rewardWeights).toHaveLength(64);
    expect(latest?.meta).toEqual({ v: 2, shapes: [[64, 4]] });
    await expectAppError(saveCheckpoint(db, { experimentId: "missing", policyWeights: [], rewardWeights: [] }), "NOT_FOUND");
    await expectAppError(saveCheckpoint(db, { experimentId: experiment.id, policyWeights: "x" as unknown as number[], rewardWeights: [] }), "VALIDATION");
  });

  it("records metrics in order, all or nothing", async () => {
    const experiment = await createExperiment(db, { name: uniqueName("exp"), config: {} });
    const n = await recordMetrics(
      db,
      experiment.id,
      Array.from({ length: 50 }, (_, i) => ({ episode: i, kind: "episode", data: { return: i / 10, success: i % 2 === 0 } })),
    );
    expect(n).toBe(50);
    await recordMetrics(db, experiment.id, [{ kind: "round", data: { accuracy: 0.8 } }]);
    const episodes = await listMetrics(db, experiment.id, { kind: "episode" });
    expect(episodes.map((m) => m.episode)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(episodes[3].data).toEqual({ return: 0.3, success: false });
    await expectAppError(recordMetrics(db, experiment.id, [{ kind: "round", data: {} }, { kind: "Bad Kind", data: {} }]), "VALIDATION");
    await expectAppError(recordMetrics(db, experiment.id, [{ kind: "round", roundId: "missing", data: {} }]), "NOT_FOUND");
    expect(await db.metric.count({ where: { experimentId: experiment.id } })).toBe(51);
  });

  it("user names are unique", async () => {
    const name = uniqueName("dup");
    await createUser(db, { name, role: "researcher" });
    await expectAppError(createUser(db, { name }), "CONFLICT");
    await expectAppError(createUser(db, { name: "x", role: "root" as "admin" }), "VALIDATION");
  });
});
