// The dashboard route's cheap polling (?since=VERSION) and exporting before any label (a 409 that says why).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as list from "@/app/api/experiments/route";
import * as dashboard from "@/app/api/experiments/[id]/dashboard/route";
import * as exportRoute from "@/app/api/experiments/[id]/export/route";
import { getDb } from "@/lib/server/db/client";
import { createPairs, insertTrajectories } from "@/lib/server/labelling/pairs";
import { account, actAs, body, ctx, fieldPaths, goodExperiment, req } from "./helpers";

async function newExperiment(): Promise<string> {
  return (await body(await list.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: `t-${randomUUID().slice(0, 6)}` }) })))).experiment
    .id;
}

async function onePair(id: string): Promise<string> {
  const db = await getDb();
  const ids = await insertTrajectories(
    db,
    id,
    [0, 1].map((i) => ({ round: 1, policyVersion: 1, actions: [1], cells: [0, 1], rewards: [0], success: i === 0 })),
  );
  const [pairId] = await createPairs(db, id, [{ leftId: ids[0], rightId: ids[1], selection: "random" }]);
  return pairId;
}

describe("dashboard polling and export", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("rita", "researcher"));
  });

  it("GET dashboard?since=<its version> is { unchanged: true } until a label is stored; a too long since is a 422", async () => {
    const id = await newExperiment();
    const first = await body(await dashboard.GET(req(`/api/experiments/${id}/dashboard`), ctx(id)));
    expect(first.version).toEqual(expect.any(String));
    expect(first.episodeStats).toEqual({ total: 0, bucketSize: 1 });
    const same = await dashboard.GET(req(`/api/experiments/${id}/dashboard?since=${encodeURIComponent(first.version)}`), ctx(id));
    expect(await body(same)).toEqual({ unchanged: true, version: first.version });

    const pairId = await onePair(id);
    const db = await getDb();
    await db.label.create({ data: { id: randomUUID(), pairId, source: "synthetic", teacher: "oracle", choice: "left" } });
    const changed = await body(await dashboard.GET(req(`/api/experiments/${id}/dashboard?since=${encodeURIComponent(first.version)}`), ctx(id)));
    expect(changed.version).not.toBe(first.version);
    expect(changed.labels.bySource).toEqual({ human: 0, synthetic: 1 });

    const bad = await dashboard.GET(req(`/api/experiments/${id}/dashboard?since=${"x".repeat(201)}`), ctx(id));
    expect(bad.status).toBe(422);
    expect(fieldPaths(await body(bad))).toEqual(["since"]);
  });

  it("export before any label: a 409 that says why (not an empty download); with ?all=1 the unlabelled pairs; labelled: the JSONL", async () => {
    const id = await newExperiment();
    const none = await exportRoute.GET(req(`/api/experiments/${id}/export`), ctx(id));
    expect(none.status).toBe(409);
    expect((await body(none)).error.message).toMatch(/^nothing to export yet: no pair of this experiment has a label/);
    const noPairs = await exportRoute.GET(req(`/api/experiments/${id}/export?all=1`), ctx(id));
    expect(noPairs.status).toBe(409);
    expect((await body(noPairs)).error.message).toMatch(/has no pairs/);

    const pairId = await onePair(id);
    expect((await exportRoute.GET(req(`/api/experiments/${id}/export`), ctx(id))).status).toBe(409);
    const all = await exportRoute.GET(req(`/api/experiments/${id}/export?all=1`), ctx(id));
    expect(all.status).toBe(200);
    expect((await all.text()).trim().split("\n")).toHaveLength(1);

    const db = await getDb();
    await db.label.create({ data: { id: randomUUID(), pairId, source: "synthetic", teacher: "oracle", choice: "right" } });
    const labelled = await exportRoute.GET(req(`/api/experiments/${id}/export`), ctx(id));
    expect(labelled.status).toBe(200);
    const lines = (await labelled.text()).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).labels[0]).toMatchObject({ choice: "right", source: "synthetic" });
  });
});
