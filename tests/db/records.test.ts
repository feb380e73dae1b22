import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors";
import { insertUser } from "@/lib/server/auth/users";
import { getExperiment, insertExperiment } from "@/lib/server/experiments/experiments";
import { createPairs, insertTrajectories } from "@/lib/server/labelling/pairs";
import { BACKENDS, freshDb, trajectory, uniqueName } from "./backends";

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
    const created = await insertExperiment(db, { name: uniqueName("exp"), config, labellingMode: "mixed", labelsPerPair: 3 });
    expect(created).toMatchObject({ labellingMode: "mixed", labelsPerPair: 3, status: "draft" });
    expect((await getExperiment(db, created.id)).config).toEqual(config);
    await expectAppError(getExperiment(db, "missing"), "NOT_FOUND");
    await expectAppError(insertExperiment(db, { name: "", config }), "VALIDATION");
    await expectAppError(insertExperiment(db, { name: "x", config, labelsPerPair: 0 }), "VALIDATION");
  });

  it("inserts trajectories in bulk and gives them back decoded", async () => {
    const experiment = await insertExperiment(db, { name: uniqueName("exp"), config: {} });
    const inputs = Array.from({ length: 1200 }, (_, i) => trajectory(5 + (i % 30), i, i % 3));
    const ids = await insertTrajectories(db, experiment.id, inputs);
    expect(ids).toHaveLength(1200);
    const row = await db.trajectory.findUniqueOrThrow({ where: { id: ids[7] } });
    expect(row.length).toBe(inputs[7].actions.length);
    expect(row.return).toBeCloseTo(
      inputs[7].rewards.reduce((a, b) => a + b, 0),
      5,
    );
    expect(await db.trajectory.count({ where: { experimentId: experiment.id, round: 1 } })).toBe(400);
  });

  it("refuses bad trajectories and pairs as a whole, writing nothing", async () => {
    const experiment = await insertExperiment(db, { name: uniqueName("exp"), config: {} });
    const other = await insertExperiment(db, { name: uniqueName("exp"), config: {} });
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

  it("user names are unique", async () => {
    const name = uniqueName("dup");
    await insertUser(db, { name, role: "researcher" });
    await expectAppError(insertUser(db, { name }), "CONFLICT");
    await expectAppError(insertUser(db, { name: "x", role: "root" as "admin" }), "VALIDATION");
  });
});
