import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/errors";
import { nextPair, pairsWaitingTooLong, recordLabel, releaseLease } from "@/lib/server/labelling/queue";
import type { Choice } from "@/lib/contracts/label";
import { BACKENDS, freshDb, seedExperiment, seedUsers } from "./backends";

const MIN = 60_000;

/** Everything the queue writes for an experiment, to check that a refusal wrote nothing. */
async function state(db: Db, experimentId: string) {
  const [labels, leases, pairs] = await Promise.all([
    db.label.findMany({ where: { pair: { experimentId } }, orderBy: { id: "asc" } }),
    db.lease.findMany({ where: { pair: { experimentId } }, orderBy: { id: "asc" } }),
    db.pair.findMany({ where: { experimentId }, orderBy: { id: "asc" }, select: { id: true, status: true, labelsDone: true } }),
  ]);
  return { labels, leases, pairs };
}

async function expectAppError(promise: Promise<unknown>, code: AppError["code"]) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe.each(BACKENDS)("labelling queue on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  const human = (experimentId: string, pairId: string, userId: string, choice: Choice, labelId: string = randomUUID()) =>
    ({ labelId, experimentId, pairId, source: "human", userId, choice, responseMs: 1200 }) as const;

  it("hands out the highest-priority open pair and leases it; asking again returns the same pair", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 3, priorities: [1, 5, 3] });
    const [alice] = await seedUsers(db, 1);
    const first = await nextPair(db, { experimentId: experiment.id, userId: alice.id, leaseMs: 5 * MIN });
    expect(first?.pairId).toBe(pairIds[1]);
    expect(first?.left.cells.length).toBe(first!.left.actions.length + 1);
    const leases = await db.lease.findMany({ where: { pairId: pairIds[1] } });
    expect(leases).toHaveLength(1);
    expect(leases[0].userId).toBe(alice.id);

    const later = new Date(Date.now() + MIN);
    const again = await nextPair(db, { experimentId: experiment.id, userId: alice.id, leaseMs: 5 * MIN }, later);
    expect(again?.pairId).toBe(pairIds[1]);
    expect(again!.lease.expiresAt.getTime()).toBe(later.getTime() + 5 * MIN);
    expect(await db.lease.count({ where: { pair: { experimentId: experiment.id } } })).toBe(1);
  });

  it("with k=1 a leased pair goes to nobody else; with k=2 to one more person", async () => {
    const one = await seedExperiment(db, { pairCount: 2, labelsPerPair: 1 });
    const [a, b, c] = await seedUsers(db, 3);
    const pa = await nextPair(db, { experimentId: one.experiment.id, userId: a.id });
    const pb = await nextPair(db, { experimentId: one.experiment.id, userId: b.id });
    const pc = await nextPair(db, { experimentId: one.experiment.id, userId: c.id });
    expect([pa?.pairId, pb?.pairId, pc]).toEqual([one.pairIds[0], one.pairIds[1], null]);

    const two = await seedExperiment(db, { pairCount: 2, labelsPerPair: 2 });
    const qa = await nextPair(db, { experimentId: two.experiment.id, userId: a.id });
    const qb = await nextPair(db, { experimentId: two.experiment.id, userId: b.id });
    const qc = await nextPair(db, { experimentId: two.experiment.id, userId: c.id });
    expect([qa?.pairId, qb?.pairId, qc?.pairId]).toEqual([two.pairIds[0], two.pairIds[0], two.pairIds[1]]);
    expect(new Set([qa!.lease.slot, qb!.lease.slot])).toEqual(new Set([0, 1]));
  });

  it("records a leased human label, closes the pair at k labels, and never offers a pair twice to the same user", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 2, labelsPerPair: 2 });
    const [a, b] = await seedUsers(db, 2);
    const pa = await nextPair(db, { experimentId: experiment.id, userId: a.id });
    const ra = await recordLabel(db, human(experiment.id, pa!.pairId, a.id, "left"));
    expect(ra).toMatchObject({ replayed: false, pair: { id: pairIds[0], labelsDone: 1, status: "open" } });

    // a already labelled pair 0: the next one for a is pair 1, while b still gets pair 0.
    expect((await nextPair(db, { experimentId: experiment.id, userId: a.id }))?.pairId).toBe(pairIds[1]);
    const pb = await nextPair(db, { experimentId: experiment.id, userId: b.id });
    expect(pb?.pairId).toBe(pairIds[0]);
    const rb = await recordLabel(db, human(experiment.id, pairIds[0], b.id, "equal"));
    expect(rb.pair).toMatchObject({ labelsDone: 2, status: "done" });
    expect(await db.lease.count({ where: { pairId: pairIds[0], labelId: null } })).toBe(0);
  });

  it("a retried label (same labelId, same content) returns the stored one and writes nothing", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1, labelsPerPair: 2 });
    const [a] = await seedUsers(db, 1);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    const input = human(experiment.id, pairIds[0], a.id, "right");
    const first = await recordLabel(db, input);
    const before = await state(db, experiment.id);
    const retry = await recordLabel(db, input);
    expect(retry.replayed).toBe(true);
    expect(retry.label).toEqual(first.label);
    expect(retry.pair.labelsDone).toBe(1);
    expect(await state(db, experiment.id)).toEqual(before);
  });

  it("the same labelId sent twice at once is stored once", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1 });
    const [a] = await seedUsers(db, 1);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    const input = human(experiment.id, pairIds[0], a.id, "left");
    const results = await Promise.all([recordLabel(db, input), recordLabel(db, input), recordLabel(db, input)]);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await db.label.count({ where: { pairId: pairIds[0] } })).toBe(1);
    expect((await db.pair.findUniqueOrThrow({ where: { id: pairIds[0] } })).labelsDone).toBe(1);
  });

  it("a reused labelId with different content is a CONFLICT and writes nothing", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1, labelsPerPair: 2 });
    const [a] = await seedUsers(db, 1);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    const input = human(experiment.id, pairIds[0], a.id, "left");
    await recordLabel(db, input);
    const before = await state(db, experiment.id);
    await expectAppError(recordLabel(db, { ...input, choice: "right" }), "CONFLICT");
    await expectAppError(recordLabel(db, { ...input, responseMs: 5 }), "CONFLICT");
    expect(await state(db, experiment.id)).toEqual(before);
  });

  it("labelling the same pair twice (new labelId) is a CONFLICT and writes nothing", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1, labelsPerPair: 3 });
    const [a] = await seedUsers(db, 1);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    await recordLabel(db, human(experiment.id, pairIds[0], a.id, "left"));
    const before = await state(db, experiment.id);
    const err = await expectAppError(recordLabel(db, human(experiment.id, pairIds[0], a.id, "right")), "CONFLICT");
    expect(err.status).toBe(409);
    expect(await state(db, experiment.id)).toEqual(before);
  });

  it("a human label without a lease is LEASE_REQUIRED and writes nothing", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 2 });
    const [a, b] = await seedUsers(db, 2);
    await nextPair(db, { experimentId: experiment.id, userId: b.id }); // b holds pair 0
    const before = await state(db, experiment.id);
    await expectAppError(recordLabel(db, human(experiment.id, pairIds[1], a.id, "left")), "LEASE_REQUIRED");
    await expectAppError(recordLabel(db, human(experiment.id, pairIds[0], a.id, "left")), "LEASE_REQUIRED");
    await expectAppError(recordLabel(db, human(experiment.id, pairIds[0], a.id, "skip")), "LEASE_REQUIRED");
    expect(await state(db, experiment.id)).toEqual(before);
  });

  it("an expired lease returns the pair to the pool; the first holder's late label is then refused", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1 });
    const [a, b] = await seedUsers(db, 2);
    const t0 = new Date();
    expect((await nextPair(db, { experimentId: experiment.id, userId: a.id, leaseMs: 1000 }, t0))?.pairId).toBe(pairIds[0]);
    // Before expiry b gets nothing; after it, b gets the pair.
    expect(await nextPair(db, { experimentId: experiment.id, userId: b.id }, new Date(t0.getTime() + 500))).toBeNull();
    const t1 = new Date(t0.getTime() + 2000);
    expect((await nextPair(db, { experimentId: experiment.id, userId: b.id }, t1))?.pairId).toBe(pairIds[0]);
    const before = await state(db, experiment.id);
    await expectAppError(recordLabel(db, human(experiment.id, pairIds[0], a.id, "left"), t1), "LEASE_REQUIRED");
    expect(await state(db, experiment.id)).toEqual(before);
    const rb = await recordLabel(db, human(experiment.id, pairIds[0], b.id, "left"), t1);
    expect(rb.pair.status).toBe("done");
  });

  it("a late label is still accepted when nobody took the expired lease over", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1 });
    const [a] = await seedUsers(db, 1);
    const t0 = new Date();
    await nextPair(db, { experimentId: experiment.id, userId: a.id, leaseMs: 1000 }, t0);
    const r = await recordLabel(db, human(experiment.id, pairIds[0], a.id, "right"), new Date(t0.getTime() + 60_000));
    expect(r.pair.status).toBe("done");
  });

  it("skip is recorded, does not count, releases the lease to someone else, and is not offered again to the skipper", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 2 });
    const [a, b] = await seedUsers(db, 2);
    expect((await nextPair(db, { experimentId: experiment.id, userId: a.id }))?.pairId).toBe(pairIds[0]);
    const skipped = await recordLabel(db, human(experiment.id, pairIds[0], a.id, "skip"));
    expect(skipped.label.choice).toBe("skip");
    expect(skipped.pair).toMatchObject({ labelsDone: 0, status: "open" });
    expect(await db.lease.count({ where: { pairId: pairIds[0] } })).toBe(0);
    expect((await nextPair(db, { experimentId: experiment.id, userId: b.id }))?.pairId).toBe(pairIds[0]);
    expect((await nextPair(db, { experimentId: experiment.id, userId: a.id }))?.pairId).toBe(pairIds[1]);
  });

  it("releaseLease gives a pair back without a label", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1 });
    const [a, b] = await seedUsers(db, 2);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    expect(await releaseLease(db, { pairId: pairIds[0], userId: a.id })).toBe(true);
    expect((await nextPair(db, { experimentId: experiment.id, userId: b.id }))?.pairId).toBe(pairIds[0]);
  });

  it("synthetic labels need no lease, count like human ones, and never exceed k", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 2, labelsPerPair: 2, labellingMode: "mixed" });
    const [a, b] = await seedUsers(db, 2);
    const synthetic = (pairId: string, choice: Choice = "left") =>
      ({ labelId: randomUUID(), experimentId: experiment.id, pairId, source: "synthetic", teacher: "oracle", choice }) as const;
    const r1 = await recordLabel(db, synthetic(pairIds[0]));
    expect(r1.pair).toMatchObject({ labelsDone: 1, status: "open" });
    // One slot left on pair 0: a takes it, so b is sent to pair 1 and the teacher is refused.
    expect((await nextPair(db, { experimentId: experiment.id, userId: a.id }))?.pairId).toBe(pairIds[0]);
    expect((await nextPair(db, { experimentId: experiment.id, userId: b.id }))?.pairId).toBe(pairIds[1]);
    const before = await state(db, experiment.id);
    await expectAppError(recordLabel(db, synthetic(pairIds[0])), "CONFLICT");
    expect(await state(db, experiment.id)).toEqual(before);
    const ra = await recordLabel(db, human(experiment.id, pairIds[0], a.id, "right"));
    expect(ra.pair).toMatchObject({ labelsDone: 2, status: "done" });
    await expectAppError(recordLabel(db, synthetic(pairIds[0])), "PAIR_CLOSED");
  });

  it("a synthetic-only experiment refuses human labellers (FORBIDDEN)", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1, labellingMode: "synthetic" });
    const [a] = await seedUsers(db, 1);
    await expectAppError(nextPair(db, { experimentId: experiment.id, userId: a.id }), "FORBIDDEN");
    await expectAppError(recordLabel(db, human(experiment.id, pairIds[0], a.id, "left")), "FORBIDDEN");
    const r = await recordLabel(db, {
      labelId: randomUUID(),
      experimentId: experiment.id,
      pairId: pairIds[0],
      source: "synthetic",
      teacher: "oracle",
      choice: "left",
    });
    expect(r.pair.status).toBe("done");
  });

  it("mixed mode: pairsWaitingTooLong lists old, unlabelled, unheld pairs for the teacher", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 4, labellingMode: "mixed" });
    const [a, b] = await seedUsers(db, 2);
    expect(await pairsWaitingTooLong(db, experiment.id, 30 * MIN)).toEqual([]); // all pairs are new
    await nextPair(db, { experimentId: experiment.id, userId: a.id }); // a holds pair 0
    await nextPair(db, { experimentId: experiment.id, userId: b.id }); // b holds pair 1 ...
    await recordLabel(db, human(experiment.id, pairIds[1], b.id, "left")); // ... and labels it
    const later = new Date(Date.now() + 60 * MIN);
    const waiting = await pairsWaitingTooLong(db, experiment.id, 30 * MIN, { now: later });
    // At `later` a's 10-minute lease has expired too: pair 0 is waiting again.
    expect(waiting.map((p) => p.id)).toEqual([pairIds[0], pairIds[2], pairIds[3]]);
    const soon = new Date(Date.now() + 5 * MIN);
    expect((await pairsWaitingTooLong(db, experiment.id, 0, { now: soon })).map((p) => p.id)).toEqual([pairIds[2], pairIds[3]]);
  });

  it("bad input is a typed error and writes nothing", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 1 });
    const other = await seedExperiment(db, { pairCount: 1 });
    const [a] = await seedUsers(db, 1);
    await nextPair(db, { experimentId: experiment.id, userId: a.id });
    const before = await state(db, experiment.id);
    const good = human(experiment.id, pairIds[0], a.id, "left");

    await expectAppError(recordLabel(db, { ...good, pairId: "no-such-pair" }), "NOT_FOUND");
    await expectAppError(recordLabel(db, { ...good, pairId: other.pairIds[0] }), "NOT_FOUND");
    await expectAppError(recordLabel(db, { ...good, choice: "both" as Choice }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, labelId: "short" }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, userId: undefined }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, teacher: "oracle" }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, source: "synthetic" }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, responseMs: -1 }), "VALIDATION");
    await expectAppError(recordLabel(db, { ...good, userId: "ghost" }), "NOT_FOUND");
    await expectAppError(nextPair(db, { experimentId: "nope", userId: a.id }), "NOT_FOUND");
    await expectAppError(nextPair(db, { experimentId: experiment.id, userId: "ghost" }), "NOT_FOUND");
    await expectAppError(nextPair(db, { experimentId: experiment.id, userId: a.id, leaseMs: 5 }), "VALIDATION");
    await expectAppError(pairsWaitingTooLong(db, experiment.id, -1), "VALIDATION");
    expect(await state(db, experiment.id)).toEqual(before);
    expect(await state(db, other.experiment.id)).toMatchObject({ labels: [], leases: [] });
  });
});
