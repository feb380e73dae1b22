import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/lib/server/db/client";
import { insertExperiment } from "@/lib/server/experiments/experiments";
import { claimNext, claimRound, isClaimable, ownerGone } from "@/lib/server/training/claim";
import { BACKENDS, freshDb, uniqueName } from "./backends";

// One way to claim a round (the web worker and `npm run train -- --db/--resume` both use it): a
// check-and-set on status and heartbeat, so of claimers racing for one round exactly one wins.
describe.each(BACKENDS)("claiming rounds on $name", (backend) => {
  let db: Db;
  let other: Db;
  let close: () => Promise<void>;
  let experimentId = "";
  let index = 0;
  beforeAll(async () => {
    const fresh = await freshDb(backend);
    db = fresh.db;
    close = fresh.close;
    // A second client: its own connections, as another process would have.
    other = await openDb(fresh.url, { poolSize: 5 });
    experimentId = (await insertExperiment(db, { name: uniqueName("claim"), config: {}, labellingMode: "synthetic", labelsPerPair: 1 })).id;
  });
  afterAll(async () => {
    await other.$disconnect();
    await close();
  });

  const newRound = (data: { status?: "queued" | "running"; workerId?: string; heartbeatAt?: Date | null } = {}) =>
    db.trainingRound.create({ data: { experimentId, index: ++index, episodesTotal: 10, ...data } });
  const finish = (id: string) => db.trainingRound.update({ where: { id }, data: { status: "done" } });

  it("two claimers racing for a queued round: exactly one wins, and the row names it", async () => {
    for (let i = 0; i < 10; i++) {
      const seen = await newRound();
      const [a, b] = await Promise.all([claimRound(db, seen, { workerId: "a" }), claimRound(other, seen, { workerId: "b" })]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const row = await db.trainingRound.findUniqueOrThrow({ where: { id: seen.id } });
      expect(row.status).toBe("running");
      expect(row.workerId).toBe((a ?? b)!.workerId);
      await finish(seen.id);
    }
  });

  it("two claimers racing for a running round with a stale heartbeat: exactly one takes it over", async () => {
    for (let i = 0; i < 10; i++) {
      const seen = await newRound({ status: "running", workerId: "dead-host:1:x", heartbeatAt: new Date(Date.now() - 60_000) });
      const [a, b] = await Promise.all([
        claimNext(db, { workerId: "a", staleMs: 15_000 }, experimentId),
        claimNext(other, { workerId: "b", staleMs: 15_000 }, experimentId),
      ]);
      const winners = [a, b].filter(Boolean);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ resumed: true, previousWorker: "dead-host:1:x" });
      expect((await db.trainingRound.findUniqueOrThrow({ where: { id: seen.id } })).workerId).toBe(winners[0]!.round.workerId);
      await finish(seen.id);
    }
  });

  it("a running round with a fresh heartbeat of a live owner is not claimed; finished rounds never are", async () => {
    const live = await newRound({ status: "running", workerId: "elsewhere:1:x", heartbeatAt: new Date() });
    expect(await claimRound(db, live, { workerId: "a" })).toBeNull();
    expect(await claimNext(db, { workerId: "a" }, experimentId)).toBeNull();
    const done = await finish(live.id);
    expect(isClaimable(done)).toBe(false);
    expect(await claimRound(db, done, { workerId: "a" })).toBeNull();
  });

  it("a claimer holding an old read loses to one that claimed since (the set checks what was seen)", async () => {
    const seen = await newRound({ status: "running", workerId: "dead-host:1:y", heartbeatAt: new Date(Date.now() - 60_000) });
    expect(await claimRound(db, seen, { workerId: "first" })).not.toBeNull();
    expect(await claimRound(other, seen, { workerId: "late" })).toBeNull();
    expect((await db.trainingRound.findUniqueOrThrow({ where: { id: seen.id } })).workerId).toBe("first");
    await finish(seen.id);
  });
});

describe("owner liveness", () => {
  it("a round of a process of this machine that is gone can be claimed at once; a live or remote one waits for its heartbeat", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const pid = child.pid!;
    const id = `cli:${hostname()}:${pid}:abcd1234`;
    expect(ownerGone(id)).toBe(false);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(ownerGone(id)).toBe(true);
    expect(isClaimable({ status: "running", workerId: id, heartbeatAt: new Date() })).toBe(true);
    expect(ownerGone(`${hostname()}:${process.pid}:self`)).toBe(false);
    expect(ownerGone(`some-other-host:${pid}:abcd`)).toBe(false);
    expect(isClaimable({ status: "running", workerId: `some-other-host:${pid}:abcd`, heartbeatAt: new Date() })).toBe(false);
  });
});
