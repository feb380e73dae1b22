// The queue's kept counters (Experiment.openPairs, LabellerCount) against a recount of the rows, after every kind of
// write that changes them, on both databases; and concurrent labellers spread over the queue instead of colliding.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { keptQueueCounts, recountQueue } from "@/lib/server/labelling/counters";
import { leaseRaces } from "@/lib/server/labelling/leases";
import { nextPair, recordLabel } from "@/lib/server/labelling/queue";
import { queueStats } from "@/lib/server/labelling/labelling";
import { exportDataset, importDataset } from "@/lib/server/labelling/dataset";
import { BACKENDS, freshDb, seedExperiment, seedUsers } from "./backends";

const MIN = 60_000;

describe.each(BACKENDS)("queue counters on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  const expectExact = async (experimentId: string) => {
    const [kept, truth] = await Promise.all([keptQueueCounts(db, experimentId), recountQueue(db, experimentId)]);
    expect(kept).toEqual(truth);
    return kept;
  };
  const label = (experimentId: string, pairId: string, userId: string, choice: "left" | "right" | "equal" | "skip") =>
    recordLabel(db, { labelId: randomUUID(), experimentId, pairId, source: "human", userId, choice, responseMs: 500 });

  it("stay exact through labels, skips, expired leases, a k-th label, synthetic labels, replays and a late label", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 6, labelsPerPair: 2, labellingMode: "mixed" });
    const [a, b, c, d] = await seedUsers(db, 4);
    const exp = experiment.id;
    expect((await expectExact(exp)).openPairs).toBe(6);

    // k = 2: a labels the best pair, b gets its second slot and skips it (no decided label, the pair stays open).
    const t0 = new Date();
    const pa = await nextPair(db, { experimentId: exp, userId: a.id }, t0);
    expect(pa!.pairId).toBe(pairIds[0]);
    await label(exp, pairIds[0], a.id, "left");
    const pb = await nextPair(db, { experimentId: exp, userId: b.id }, t0);
    expect(pb!.pairId).toBe(pairIds[0]);
    await label(exp, pairIds[0], b.id, "skip");
    expect(await expectExact(exp)).toEqual({ openPairs: 6, labelsByUser: { [a.id]: 1 } });

    // c takes that slot and abandons it; nothing counted changes while it expires.
    const pc = await nextPair(db, { experimentId: exp, userId: c.id, leaseMs: 10 * MIN }, t0);
    expect(pc!.pairId).toBe(pairIds[0]);
    const later = new Date(t0.getTime() + 11 * MIN);
    await expectExact(exp);

    // d takes the expired slot; the second (k-th) decided label closes the pair: one open pair fewer.
    const pd = await nextPair(db, { experimentId: exp, userId: d.id, leaseMs: 60 * MIN }, later);
    expect(pd!.pairId).toBe(pairIds[0]);
    const closed = await label(exp, pairIds[0], d.id, "right");
    expect(closed.pair.status).toBe("done");
    expect(await expectExact(exp)).toEqual({ openPairs: 5, labelsByUser: { [a.id]: 1, [d.id]: 1 } });

    // Synthetic labels close a pair too; a replayed label counts once.
    const input = { labelId: randomUUID(), experimentId: exp, pairId: pairIds[1], source: "synthetic", teacher: "oracle", choice: "left" } as const;
    await recordLabel(db, input, later);
    expect((await recordLabel(db, input, later)).replayed).toBe(true);
    const synth2 = await recordLabel(db, { ...input, labelId: randomUUID(), choice: "equal" }, later);
    expect(synth2.pair.status).toBe("done");
    expect((await expectExact(exp)).openPairs).toBe(4);

    // A late label: c holds a pair whose round stopped taking labels (retired as the round runner does); it is kept and counted.
    const late = await nextPair(db, { experimentId: exp, userId: c.id, leaseMs: 60 * MIN }, later);
    expect(late!.pairId).toBe(pairIds[2]);
    await db.$transaction(async (tx) => {
      const { count } = await tx.pair.updateMany({ where: { id: late!.pairId, status: "open" }, data: { status: "retired" } });
      await tx.experiment.update({ where: { id: exp }, data: { openPairs: { decrement: count } } });
    });
    await label(exp, late!.pairId, c.id, "equal");
    const kept = await expectExact(exp);
    expect(kept).toEqual({ openPairs: 3, labelsByUser: { [a.id]: 1, [c.id]: 1, [d.id]: 1 } });

    // What the label screen reads is the kept counters.
    expect(await queueStats(db, exp, a.id)).toEqual({ experimentId: exp, openPairs: 3, labelledByYou: 1 });
    expect(await queueStats(db, exp, b.id)).toEqual({ experimentId: exp, openPairs: 3, labelledByYou: 0 });
  });

  it("an import adds its open pairs and its people's decided labels", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 4, labelsPerPair: 1 });
    const [u] = await seedUsers(db, 1);
    const p = await nextPair(db, { experimentId: experiment.id, userId: u.id });
    await label(experiment.id, p!.pairId, u.id, "left");
    const skipped = await nextPair(db, { experimentId: experiment.id, userId: u.id });
    await label(experiment.id, skipped!.pairId, u.id, "skip");
    expect(pairIds).toContain(p!.pairId);
    const file = await exportDataset(db, experiment.id, { labelledOnly: false });
    const { experiment: target } = await seedExperiment(db, { pairCount: 2, labelsPerPair: 1 });
    await importDataset(db, target.id, file);
    const kept = await expectExact(target.id);
    expect(kept.openPairs).toBe(2 + 3);
    expect(Object.values(kept.labelsByUser)).toEqual([1]);
  });

  it("30 labellers at once on 200 open pairs each get a different pair; the database rarely refuses a lease", async () => {
    const { experiment } = await seedExperiment(db, { pairCount: 200, labelsPerPair: 1 });
    const users = await seedUsers(db, 30);
    const before = leaseRaces.uniqueRetries;
    for (let wave = 0; wave < 3; wave++) {
      const got = await Promise.all(users.map((u) => nextPair(db, { experimentId: experiment.id, userId: u.id })));
      const ids = got.map((g) => g!.pairId);
      expect(new Set(ids).size).toBe(30);
      await Promise.all(got.map((g, i) => label(experiment.id, g!.pairId, users[i].id, "left")));
    }
    const retries = leaseRaces.uniqueRetries - before;
    // PostgreSQL passes over locked pairs (SKIP LOCKED), SQLite over the pairs this process is taking: a lost race is
    // the exception (the old "everyone tries the best pair first" lost 180-220 races here).
    expect(retries).toBeLessThanOrEqual(3);
    const kept = await expectExact(experiment.id);
    expect(kept.openPairs).toBe(200 - 90);
  });
});
