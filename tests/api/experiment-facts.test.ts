// The label path's per-process copy of an experiment (name, mode, maze, gold rate): read once, read again after a few
// seconds (another instance's edit shows within FACTS_TTL_MS), forgotten at once by an edit in this process (a
// renamed experiment shows its new name on the label screen, a switch to synthetic stops leases), unknown ids are
// NOT_FOUND.
import { beforeAll, describe, expect, it } from "vitest";
import * as experiments from "@/app/api/experiments/route";
import * as experiment from "@/app/api/experiments/[id]/route";
import { getDb } from "@/lib/server/db/client";
import { experimentFacts, FACTS_TTL_MS } from "@/lib/server/labelling/experiment-facts";
import { isAppError } from "@/lib/server/errors";
import { nextPair } from "@/lib/server/labelling/queue";
import { account, actAs, body, ctx, goodExperiment, req } from "./helpers";

describe("experimentFacts", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("facts-admin", "admin"));
  });

  it("keeps the name, maze and gold rate for a few seconds, then reads them again", async () => {
    const db = await getDb();
    const res = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "before", goldRate: 0.2 }) }));
    const id = (await body(res)).experiment.id;
    const t0 = Date.now();
    const first = await experimentFacts(db, id, t0);
    expect(first).toMatchObject({ name: "before", goldRate: 0.2 });
    expect(first.maze.rows).toBeGreaterThan(1);
    expect(first.maze.text.split("\n")).toHaveLength(first.maze.rows);

    // Renamed by another instance (straight in the database): this process reads it again after FACTS_TTL_MS.
    await db.experiment.update({ where: { id }, data: { name: "after" } });
    expect((await experimentFacts(db, id, t0 + FACTS_TTL_MS - 1)).name).toBe("before");
    expect((await experimentFacts(db, id, t0 + FACTS_TTL_MS)).name).toBe("after");
  });

  it("an edit through this process is seen at once: the new name, and no more leases once the mode is synthetic", async () => {
    const db = await getDb();
    const res = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "edited", labellingMode: "human" }) }));
    const id = (await body(res)).experiment.id;
    const t0 = Date.now();
    expect(await experimentFacts(db, id, t0)).toMatchObject({ name: "edited", labellingMode: "human" });
    const renamed = await experiment.PATCH(
      req(`/api/experiments/${id}`, { method: "PATCH", body: { name: "edited again", labellingMode: "synthetic" } }),
      ctx(id),
    );
    expect(renamed.status).toBe(200);
    expect(await experimentFacts(db, id, t0 + 1)).toMatchObject({ name: "edited again", labellingMode: "synthetic" });
    const err = await nextPair(db, { experimentId: id, userId: (await db.user.findFirstOrThrow()).id }).catch((e) => e);
    expect(isAppError(err, "FORBIDDEN")).toBe(true);
  });

  it("an unknown experiment is NOT_FOUND", async () => {
    const err = await experimentFacts(await getDb(), "no-such-experiment").catch((e) => e);
    expect(isAppError(err, "NOT_FOUND")).toBe(true);
  });
});
