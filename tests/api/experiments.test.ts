import { describe, expect, it, beforeAll } from "vitest";
import * as list from "@/app/api/experiments/route";
import * as one from "@/app/api/experiments/[id]/route";
import { getDb } from "@/lib/server/db/client";
import { account, actAs, body, ctx, fieldPaths, goodExperiment, req } from "./helpers";

describe("/api/experiments", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("root", "admin"));
  });

  it("GET on an empty database creates and lists the demo experiment", async () => {
    const res = await list.GET(req("/api/experiments"));
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b.experiments.map((e: { id: string }) => e.id)).toEqual(["demo"]);
    expect(b.experiments[0]).toMatchObject({ labellingMode: "mixed", maze: { rows: 8, cols: 8 }, counts: { trajectories: 48 } });
    expect(b.experiments[0].latestRound).toMatchObject({ index: 1, status: "queued" });
  });

  it("POST creates an experiment from good fields", async () => {
    const res = await list.POST(req("/api/experiments", { method: "POST", body: goodExperiment() }));
    expect(res.status).toBe(201);
    const { experiment } = await body(res);
    expect(experiment).toMatchObject({
      name: "API test maze",
      labellingMode: "human",
      preset: "default",
      teacher: "oracle",
      maze: { rows: 4, cols: 4 },
      config: { seed: 1, episodesPerRound: 20, pairsPerRound: 6, pairSelection: "random", labelTimeLimitSec: 30, shaping: { mode: "potential", beta: 0.5 } },
      mazeText: "S...\n.#..\n.#..\n...G",
      counts: { trajectories: 0, openPairs: 0, labels: 0, rounds: 0 },
      latestRound: null,
    });
  });

  it("POST with a random maze stores the generated layout", async () => {
    const res = await list.POST(
      req("/api/experiments", { method: "POST", body: goodExperiment({ maze: { kind: "random", rows: 5, cols: 7, seed: 2, wallDensity: 0.2 } }) }),
    );
    expect(res.status).toBe(201);
    const { experiment } = await body(res);
    expect(experiment.maze).toEqual({ rows: 5, cols: 7 });
    expect(experiment.mazeText.split("\n")).toHaveLength(5);
  });

  it("POST with bad fields is a 422 naming each field, and writes nothing", async () => {
    const db = await getDb();
    const before = await db.experiment.count();
    const res = await list.POST(
      req("/api/experiments", {
        method: "POST",
        body: goodExperiment({ name: "  ", episodesPerRound: 3, maze: { kind: "text", text: "S..\n.#.\n..X" }, teacher: "wizard" }),
      }),
    );
    expect(res.status).toBe(422);
    const b = await body(res);
    expect(b.error.code).toBe("VALIDATION");
    expect(fieldPaths(b)).toEqual(["episodesPerRound", "maze.text", "name", "teacher"]);
    expect(b.error.details.fields.find((f: { path: string }) => f.path === "maze.text").message).toMatch(/unknown character 'X'.*row 3, column 3/);
    expect(await db.experiment.count()).toBe(before);
  });

  it("a label budget is stored in the engine config; a bad one is a 422 naming it, and writes nothing", async () => {
    const db = await getDb();
    const made = await body(await list.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "budget", labelBudget: 40 }) })));
    const stored = JSON.parse((await db.experiment.findUniqueOrThrow({ where: { id: made.experiment.id } })).config);
    expect(stored.preferences.budget).toBe(40);
    const before = await db.experiment.count();
    for (const bad of [0, -5, 2.5, "many"]) {
      const res = await list.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "bad budget", labelBudget: bad }) }));
      expect(res.status).toBe(422);
      expect(fieldPaths(await body(res))).toEqual(["labelBudget"]);
    }
    expect(await db.experiment.count()).toBe(before);
  });

  it("POST with an unsolvable maze or malformed JSON is refused", async () => {
    const unsolvable = await list.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ maze: { kind: "text", text: "S#.\n##.\n..G" } }) }));
    expect(unsolvable.status).toBe(422);
    expect(fieldPaths(await body(unsolvable))).toEqual(["maze.text"]);
    const malformed = await list.POST(req("/api/experiments", { method: "POST", raw: "{not json" }));
    expect(malformed.status).toBe(400);
    expect((await body(malformed)).error.code).toBe("MALFORMED_JSON");
  });

  it("GET /:id returns it; unknown or malformed ids are 404", async () => {
    const ok = await one.GET(req("/api/experiments/demo"), ctx("demo"));
    expect(ok.status).toBe(200);
    expect((await body(ok)).experiment.id).toBe("demo");
    for (const id of ["01a2f000-0000-7000-8000-000000000000", "../etc/passwd"]) {
      const res = await one.GET(req(`/api/experiments/${id}`), ctx(id));
      expect(res.status).toBe(404);
      expect((await body(res)).error.code).toBe("NOT_FOUND");
    }
  });

  it("PATCH switches the labelling mode; bad values are 422 and change nothing; unknown is 404", async () => {
    const ok = await one.PATCH(req("/api/experiments/demo", { method: "PATCH", body: { labellingMode: "synthetic" } }), ctx("demo"));
    expect(ok.status).toBe(200);
    expect((await body(ok)).experiment.labellingMode).toBe("synthetic");

    const bad = await one.PATCH(req("/api/experiments/demo", { method: "PATCH", body: { labellingMode: "robot" } }), ctx("demo"));
    expect(bad.status).toBe(422);
    expect(fieldPaths(await body(bad))).toEqual(["labellingMode"]);
    const extra = await one.PATCH(req("/api/experiments/demo", { method: "PATCH", body: { config: "{}" } }), ctx("demo"));
    expect(extra.status).toBe(422);
    const empty = await one.PATCH(req("/api/experiments/demo", { method: "PATCH", body: {} }), ctx("demo"));
    expect(empty.status).toBe(422);
    const db = await getDb();
    expect((await db.experiment.findUniqueOrThrow({ where: { id: "demo" } })).labellingMode).toBe("synthetic");

    const missing = await one.PATCH(req("/api/experiments/nope", { method: "PATCH", body: { labellingMode: "human" } }), ctx("nope"));
    expect(missing.status).toBe(404);
  });
});
