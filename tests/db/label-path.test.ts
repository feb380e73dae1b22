// The label path's write on both databases under the interleavings the one-statement PostgreSQL form must get right
// (labels.ts recordDecidedHumanInOneStatement), and its cost on PostgreSQL: the round trips of one label + next pair.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { addOpenPairs, keptQueueCounts, recountQueue } from "@/lib/server/labelling/counters";
import { readPairForLabel } from "@/lib/server/labelling/labels";
import { labelAndNext, next, warmLabelPath } from "@/lib/server/labelling/labelling";
import { nextPair, recordLabel } from "@/lib/server/labelling/queue";
import { resolveConfig } from "@/lib/server/experiments/config";
import { DEFAULT_EXPERIMENT_INPUT } from "@/lib/contracts/experiment";
import { countPgRoundTrips } from "../../scripts/pg-round-trips";
import { BACKENDS, freshDb, seedExperiment, seedUsers } from "./backends";

describe.each(BACKENDS)("label path on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  const human = (experimentId: string, pairId: string, userId: string, choice: "left" | "right") => ({
    labelId: randomUUID(),
    experimentId,
    pairId,
    source: "human" as const,
    userId,
    choice,
    responseMs: 700,
  });
  const expectExact = async (experimentId: string) => {
    const [kept, truth] = await Promise.all([keptQueueCounts(db, experimentId), recountQueue(db, experimentId)]);
    expect(kept).toEqual(truth);
    return kept;
  };

  it("k = 2: two people labelling the same pair at the same moment close it once (one open pair fewer, both labels kept)", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 6, labelsPerPair: 2 });
    const exp = experiment.id;
    const [a, b] = await seedUsers(db, 2);
    for (let i = 0; i < pairIds.length; i++) {
      const [la, lb] = [await nextPair(db, { experimentId: exp, userId: a.id }), await nextPair(db, { experimentId: exp, userId: b.id })];
      expect(la!.pairId).toBe(pairIds[i]);
      expect(lb!.pairId).toBe(pairIds[i]);
      const [ra, rb] = await Promise.all([recordLabel(db, human(exp, pairIds[i], a.id, "left")), recordLabel(db, human(exp, pairIds[i], b.id, "right"))]);
      expect([ra.pair.labelsDone, rb.pair.labelsDone].sort()).toEqual([1, 2]);
      expect([ra.pair.status, rb.pair.status].sort()).toEqual(["done", "open"]);
      expect(await expectExact(exp)).toEqual({ openPairs: pairIds.length - 1 - i, labelsByUser: { [a.id]: i + 1, [b.id]: i + 1 } });
    }
  });

  it("a label read while its pair was open, written after the teacher settled the pair, does not close it a second time", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 2, labelsPerPair: 2, labellingMode: "mixed" });
    const exp = experiment.id;
    const [a] = await seedUsers(db, 1);
    const leased = await nextPair(db, { experimentId: exp, userId: a.id });
    expect(leased!.pairId).toBe(pairIds[0]);
    const input = human(exp, pairIds[0], a.id, "left");
    const readWhileOpen = await readPairForLabel(db, pairIds[0], input.labelId);
    expect(readWhileOpen!.status).toBe("open");
    // What the round runner's teacherSettles does: a synthetic label, then the pair settled (done below k labels).
    await recordLabel(db, { labelId: randomUUID(), experimentId: exp, pairId: pairIds[0], source: "synthetic", teacher: "oracle", choice: "right" });
    await db.$transaction(async (tx) => {
      const { count } = await tx.pair.updateMany({ where: { id: pairIds[0], status: "open" }, data: { status: "done" } });
      await addOpenPairs(tx, exp, -count);
    });
    expect((await expectExact(exp)).openPairs).toBe(1);

    // The person's label arrives with the read from before the settle: kept, counted for them, the pair stays done once.
    const result = await recordLabel(db, input, new Date(), readWhileOpen!);
    expect(result.replayed).toBe(false);
    expect(result.pair).toMatchObject({ status: "done", labelsDone: 2 });
    expect(await expectExact(exp)).toEqual({ openPairs: 1, labelsByUser: { [a.id]: 1 } });
  });

  it("warming the label path (a starting instance does it) runs without error and writes nothing", async () => {
    const { experiment } = await seedExperiment(db, { pairCount: 3 });
    const counts = () => Promise.all([db.pair.count(), db.lease.count(), db.label.count(), db.labellerCount.count(), db.trainingRound.count()]);
    const before = await counts();
    const kept = await keptQueueCounts(db, experiment.id);
    await warmLabelPath(db);
    expect(await counts()).toEqual(before);
    expect(await keptQueueCounts(db, experiment.id)).toEqual(kept);
  });

  it("the preloaded next pair is found past the head of the queue when more people hold pairs there than one page of candidates", async () => {
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: 60 });
    const config = resolveConfig({ ...DEFAULT_EXPERIMENT_INPUT, name: "busy head", maze: { kind: "text", text: "S..\n.#.\n..G" } });
    await db.experiment.update({ where: { id: experiment.id }, data: { config: JSON.stringify(config) } });
    // 40 people (more than a page of candidates) each hold one of the best pairs, and walked away from it.
    const others = await seedUsers(db, 40);
    for (const u of others) await nextPair(db, { experimentId: experiment.id, userId: u.id });
    const [a] = await seedUsers(db, 1);
    let shown = await next(db, experiment.id, a.id);
    expect(shown.pair!.pairId).toBe(pairIds[40]);
    // The preload is the pair the next lease would take: the best one nobody holds.
    expect(shown.upcoming?.pairId).toBe(pairIds[41]);
    for (let i = 0; i < 3; i++) {
      const body = { labelId: randomUUID(), choice: "left" as const, responseMs: 900, nextPairId: shown.upcoming!.pairId };
      shown = (await labelAndNext(db, shown.pair!.pairId, body, a.id)).next;
      expect(shown.pair!.pairId).toBe(pairIds[41 + i]);
      expect(shown.upcoming?.pairId).toBe(pairIds[42 + i]);
    }
  });

  it.runIf(backend.name === "postgresql")("one label and the next pair take at most 14 round trips to PostgreSQL (BEGIN and COMMIT counted)", async () => {
    const { experiment } = await seedExperiment(db, { pairCount: 12 });
    // A full stored config: the label screen draws the experiment's maze.
    const config = resolveConfig({ ...DEFAULT_EXPERIMENT_INPUT, name: "round trips", maze: { kind: "text", text: "S..\n.#.\n..G" } });
    await db.experiment.update({ where: { id: experiment.id }, data: { config: JSON.stringify(config) } });
    const [a] = await seedUsers(db, 1);
    let shown = await next(db, experiment.id, a.id);
    // Warm: the first call reads the per-process facts and the waiting round.
    shown = (await labelAndNext(db, shown.pair!.pairId, { labelId: randomUUID(), choice: "left", responseMs: 900, nextPairId: shown.upcoming?.pairId }, a.id))
      .next;
    const trips: number[] = [];
    for (let i = 0; i < 4; i++) {
      const counter = countPgRoundTrips();
      try {
        const body = { labelId: randomUUID(), choice: "right" as const, responseMs: 800, nextPairId: shown.upcoming?.pairId };
        shown = (await labelAndNext(db, shown.pair!.pairId, body, a.id)).next;
      } finally {
        counter.stop();
      }
      trips.push(counter.n);
      expect(shown.pair).not.toBeNull();
    }
    // 13 when measured: the pair read, the label (one statement), the late check, the user's leases, the lease
    // transaction (BEGIN, lock, read slots, insert, COMMIT), the trajectories, the peek (two), the counts.
    expect(Math.max(...trips)).toBeLessThanOrEqual(14);
    // And the counter does see them (a counter that saw nothing would pass the budget).
    expect(Math.min(...trips)).toBeGreaterThanOrEqual(8);
  });
});
