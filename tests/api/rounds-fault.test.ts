// A training round hit by a database fault (issue 11: "disk full: the running round is marked failed and not
// resumed after space returns") is left running and resumed by its worker once the database works again. The
// fault is real: SQLite's max_page_count, set on the worker's own connection to the file's current size, makes
// every write that needs a page fail with SQLITE_FULL ("database or disk is full"), exactly as a full disk does.
import { beforeAll, describe, expect, it } from "vitest";
import * as experiments from "@/app/api/experiments/route";
import * as rounds from "@/app/api/experiments/[id]/rounds/route";
import { getDb, type Db } from "@/lib/server/db/client";
import { TrainingWorker } from "@/lib/server/training/worker";
import { parseRoundState } from "@/lib/server/training/round-state";
import { account, actAs, body, ctx, goodExperiment, req } from "./helpers";

async function pageCount(db: Db): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ page_count: number | bigint }[]>("PRAGMA page_count");
  return Number(row.page_count);
}

describe("a round and a full disk", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("fault-admin", "admin"));
  });

  it("SQLITE_FULL mid-round: the round stays running (not failed), and finishes once space returns, every episode once", async () => {
    const res = await experiments.POST(
      req("/api/experiments", { method: "POST", body: goodExperiment({ labellingMode: "synthetic", episodesPerRound: 300, pairsPerRound: 6 }) }),
    );
    const id = (await body(res)).experiment.id;
    await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id));
    const db = await getDb();
    const lines: string[] = [];
    const worker = new TrainingWorker(db, { log: (l) => lines.push(l), pollMs: 20 });

    // Fill the "disk" once the round has committed its first flush.
    let full = false;
    const watch = setInterval(async () => {
      if (full) return;
      const r = await db.trainingRound.findFirst({ where: { experimentId: id }, select: { episodesDone: true } });
      if (r && r.episodesDone > 0 && !full) {
        full = true;
        await db.$executeRawUnsafe(`PRAGMA max_page_count = ${await pageCount(db)}`);
      }
    }, 10);
    try {
      await worker.drain();
    } finally {
      clearInterval(watch);
    }
    expect(full).toBe(true);
    const hit = await db.trainingRound.findFirstOrThrow({ where: { experimentId: id } });
    expect(hit.status).toBe("running");
    expect(hit.error).toBeNull();
    expect(hit.episodesDone).toBeLessThan(300);
    expect(lines.join("\n")).toMatch(/interrupted by a database fault.*(full|SQLITE_FULL)/i);

    // While the disk is full the worker cannot take it back (its claim is a write): still running, not failed.
    await worker.drain().catch(() => {});
    expect((await db.trainingRound.findUniqueOrThrow({ where: { id: hit.id } })).status).toBe("running");

    // Space returns: the same worker resumes it at once (no stale-heartbeat wait) and it finishes.
    await db.$executeRawUnsafe("PRAGMA max_page_count = 1073741823");
    await worker.drain();
    const done = await db.trainingRound.findUniqueOrThrow({ where: { id: hit.id } });
    expect(done.status).toBe("done");
    expect(done.error).toBeNull();
    expect(await db.trajectory.count({ where: { experimentId: id } })).toBe(300);
    expect(await db.metric.count({ where: { experimentId: id, kind: "episode" } })).toBe(300);
    const state = parseRoundState(done.state)!;
    // A fault is not a worker restart: it does not use up the round's resumes.
    expect(state.resumes).toBe(0);
    expect(state.note).toMatch(/resumed after a database fault/);
  });
});
