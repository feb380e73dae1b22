import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { nextPair, recordLabel } from "@/lib/server/labelling/queue";
import { BACKENDS, freshDb, seedExperiment, seedUsers } from "./backends";

const LABELLERS = 20;
const LABELS_EACH = 20;

describe.each(BACKENDS)("concurrent labellers on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  it(`${LABELLERS} labellers x ${LABELS_EACH} labels on k=1: nothing lost, nothing duplicated, no pair held twice`, async () => {
    const total = LABELLERS * LABELS_EACH;
    const { experiment, pairIds } = await seedExperiment(db, { pairCount: total, labelsPerPair: 1 });
    const users = await seedUsers(db, LABELLERS);

    // Who holds which pair right now, as the labellers see it.
    const holder = new Map<string, string>();
    const doubleLeases: string[] = [];
    let replays = 0;

    const labeller = async (userId: string, index: number) => {
      for (let n = 0; n < LABELS_EACH; n++) {
        const pair = await nextPair(db, { experimentId: experiment.id, userId, leaseMs: 10 * 60_000 });
        if (!pair) throw new Error(`labeller ${index} got no pair at label ${n}`);
        const other = holder.get(pair.pairId);
        if (other && other !== userId) doubleLeases.push(pair.pairId);
        holder.set(pair.pairId, userId);
        const input = {
          labelId: randomUUID(),
          experimentId: experiment.id,
          pairId: pair.pairId,
          source: "human",
          userId,
          choice: (["left", "right", "equal"] as const)[(index + n) % 3],
          responseMs: 100 + n,
        } as const;
        const result = await recordLabel(db, input);
        expect(result.pair.status).toBe("done");
        holder.delete(pair.pairId);
        // Every fifth label: the client retries as if the response had been lost.
        if (n % 5 === 4) {
          const retried = await recordLabel(db, input);
          expect(retried.replayed).toBe(true);
          replays++;
        }
      }
    };
    await Promise.all(users.map((u, i) => labeller(u.id, i)));

    expect(doubleLeases).toEqual([]);
    expect(replays).toBe(LABELLERS * (LABELS_EACH / 5));
    const labels = await db.label.findMany({ where: { pair: { experimentId: experiment.id } }, select: { pairId: true } });
    expect(labels).toHaveLength(total);
    expect(new Set(labels.map((l) => l.pairId)).size).toBe(total);
    const pairs = await db.pair.findMany({ where: { experimentId: experiment.id }, select: { status: true, labelsDone: true } });
    expect(pairs.every((p) => p.status === "done" && p.labelsDone === 1)).toBe(true);
    const leases = await db.lease.groupBy({ by: ["pairId"], where: { pair: { experimentId: experiment.id } }, _count: true });
    expect(leases).toHaveLength(pairIds.length);
    expect(leases.every((l) => l._count === 1)).toBe(true);
    // Nothing is left for anyone.
    expect(await nextPair(db, { experimentId: experiment.id, userId: users[0].id })).toBeNull();
  });
});
