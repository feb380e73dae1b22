import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as experiments from "@/app/api/experiments/route";
import * as one from "@/app/api/experiments/[id]/route";
import * as targets from "@/app/api/label/targets/route";
import * as next from "@/app/api/label/next/route";
import * as pair from "@/app/api/pairs/[id]/route";
import * as label from "@/app/api/pairs/[id]/label/route";
import * as me from "@/app/api/me/route";
import * as exportRoute from "@/app/api/experiments/[id]/export/route";
import { getDb } from "@/lib/server/db/client";
import { account, actAs, body, ctx, fieldPaths, req } from "./helpers";

describe("labelling API", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("root", "admin"));
    await experiments.GET(req("/api/experiments")); // first start: the demo experiment
  });

  it("targets lists the demo with its open pairs", async () => {
    const b = await body(await targets.GET(req("/api/label/targets")));
    expect(b).toEqual({ experiments: [{ id: "demo", name: "Demo: 8x8 maze, oracle teacher", labellingMode: "mixed", openPairs: 36, round: null }], total: 1 });
  });

  it("next leases a pair for the caller, peeks at the one after, and counts the queue", async () => {
    const res = await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: await account("ana") }));
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b.pair).toMatchObject({ experimentId: "demo", leased: true, maze: { rows: 8, cols: 8 } });
    expect(b.pair.left.cells).toHaveLength(b.pair.left.length + 1);
    expect(b.upcoming.pairId).not.toBe(b.pair.pairId);
    expect(b.upcoming.leased).toBe(false);
    expect(b.stats).toEqual({ experimentId: "demo", openPairs: 36, labelledByYou: 0 });
    // Asking again gives the same held pair.
    const again = await body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: await account("ana") })));
    expect(again.pair.pairId).toBe(b.pair.pairId);
  });

  it("next: missing experiment 422, unknown experiment 404, signed out 401, synthetic-only 403", async () => {
    const missing = await next.POST(req("/api/label/next", { method: "POST", body: {}, as: await account("ana") }));
    expect(missing.status).toBe(422);
    expect(fieldPaths(await body(missing))).toEqual(["experimentId"]);
    expect((await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "nope" }, as: await account("ana") }))).status).toBe(404);
    const signedOut = await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: null }));
    expect(signedOut.status).toBe(401);
    expect((await body(signedOut)).error.code).toBe("UNAUTHORIZED");

    const created = await body(
      await experiments.POST(
        req("/api/experiments", {
          method: "POST",
          body: {
            name: "synthetic only",
            preset: "default",
            seed: 0,
            maze: { kind: "text", text: "S.\n.G" },
            shaping: { mode: "potential", beta: 0.5 },
            teacher: "oracle",
            labellingMode: "synthetic",
            labelsPerPair: 1,
            episodesPerRound: 10,
            pairsPerRound: 2,
            pairSelection: "random",
            labelTimeLimitSec: 10,
          },
        }),
      ),
    );
    const forbidden = await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: created.experiment.id }, as: await account("ana") }));
    expect(forbidden.status).toBe(403);
  });

  it("POST label records the choice and answers with the next pair; retries are idempotent", async () => {
    const db = await getDb();
    const first = await body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: await account("bo") })));
    const labelId = randomUUID();
    const res = await label.POST(
      req(`/api/pairs/${first.pair.pairId}/label`, { method: "POST", as: await account("bo"), body: { labelId, choice: "left", responseMs: 900 } }),
      ctx(first.pair.pairId),
    );
    expect(res.status).toBe(201);
    const b = await body(res);
    expect(b).toMatchObject({ labelId, replayed: false, pair: { id: first.pair.pairId, status: "done", labelsDone: 2, labelsWanted: 2 } });
    expect(b.next.pair.pairId).toBe(first.upcoming.pairId);
    expect(b.next.stats.labelledByYou).toBe(1);
    const stored = await db.label.findUniqueOrThrow({ where: { id: labelId }, include: { user: true } });
    expect(stored).toMatchObject({ source: "human", choice: "left", responseMs: 900, user: { name: "bo" } });

    const retry = await label.POST(
      req(`/api/pairs/${first.pair.pairId}/label`, { method: "POST", as: await account("bo"), body: { labelId, choice: "left", responseMs: 900 } }),
      ctx(first.pair.pairId),
    );
    expect(retry.status).toBe(201);
    expect((await body(retry)).replayed).toBe(true);
    expect(await db.label.count({ where: { id: labelId } })).toBe(1);

    const view = await body(await pair.GET(req(`/api/pairs/${first.pair.pairId}`), ctx(first.pair.pairId)));
    expect(view.pair.labels.map((l: { source: string }) => l.source).sort()).toEqual(["human", "synthetic"]);
  });

  it("POST label: bad body 422 and nothing written; unknown pair 404; a pair not leased to the caller 409", async () => {
    const db = await getDb();
    const held = await body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: await account("cy") })));
    const before = await db.label.count();
    const bad = await label.POST(
      req(`/api/pairs/${held.pair.pairId}/label`, { method: "POST", as: await account("cy"), body: { labelId: "x", choice: "both", responseMs: -1 } }),
      ctx(held.pair.pairId),
    );
    expect(bad.status).toBe(422);
    expect(fieldPaths(await body(bad))).toEqual(["choice", "labelId", "responseMs"]);
    const malformed = await label.POST(
      req(`/api/pairs/${held.pair.pairId}/label`, { method: "POST", as: await account("cy"), raw: "[" }),
      ctx(held.pair.pairId),
    );
    expect(malformed.status).toBe(400);
    expect(await db.label.count()).toBe(before);

    const unknown = await label.POST(
      req("/api/pairs/nope/label", { method: "POST", as: await account("cy"), body: { labelId: randomUUID(), choice: "left" } }),
      ctx("nope"),
    );
    expect(unknown.status).toBe(404);
    expect((await pair.GET(req("/api/pairs/nope"), ctx("nope"))).status).toBe(404);

    // dee never leased cy's pair.
    const stolen = await label.POST(
      req(`/api/pairs/${held.pair.pairId}/label`, { method: "POST", as: await account("dee"), body: { labelId: randomUUID(), choice: "right" } }),
      ctx(held.pair.pairId),
    );
    expect(stolen.status).toBe(409);
    expect((await body(stolen)).error.code).toBe("LEASE_REQUIRED");
    expect(await db.label.count()).toBe(before);
  });

  it("skip (can't tell) gives the pair back and moves on", async () => {
    const held = await body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: await account("eve") })));
    const res = await body(
      await label.POST(
        req(`/api/pairs/${held.pair.pairId}/label`, { method: "POST", as: await account("eve"), body: { labelId: randomUUID(), choice: "skip" } }),
        ctx(held.pair.pairId),
      ),
    );
    expect(res.pair.status).toBe("open");
    expect(res.next.pair.pairId).not.toBe(held.pair.pairId);
    expect(res.next.stats.labelledByYou).toBe(0);
  });

  it("/api/me names the signed-in account; signed out it is a 401", async () => {
    const ana = await account("ana");
    expect(await body(await me.GET(req("/api/me", { as: ana })))).toEqual({ user: { id: ana.id, name: "ana", role: "labeler" } });
    expect((await me.GET(req("/api/me", { as: null }))).status).toBe(401);
  });

  it("export: a researcher downloads the labelled pairs as JSONL, each label under the account that made it", async () => {
    const res = await exportRoute.GET(req("/api/experiments/demo/export", { as: await account("rita", "researcher") }), ctx("demo"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="demo.jsonl"');
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const people = lines.flatMap((l: { labels: { source: string; user: string | null }[] }) => l.labels.filter((x) => x.source === "human").map((x) => x.user));
    expect(people).toContain("bo");
    expect(people).not.toContain(null);
    expect((await exportRoute.GET(req("/api/experiments/nope/export", { as: await account("rita", "researcher") }), ctx("nope"))).status).toBe(404);
    expect((await exportRoute.GET(req("/api/experiments/demo/export", { as: await account("bo") }), ctx("demo"))).status).toBe(403);
  });

  it("PATCH mode to synthetic hides the experiment from the labelling targets", async () => {
    await one.PATCH(req("/api/experiments/demo", { method: "PATCH", body: { labellingMode: "synthetic" } }), ctx("demo"));
    const b = await body(await targets.GET(req("/api/label/targets")));
    expect(b.experiments.map((e: { id: string }) => e.id)).not.toContain("demo");
  });
});
