import { beforeAll, describe, expect, it } from "vitest";
import * as experiments from "@/app/api/experiments/route";
import * as rounds from "@/app/api/experiments/[id]/rounds/route";
import * as dashboard from "@/app/api/experiments/[id]/dashboard/route";
import * as round from "@/app/api/rounds/[id]/route";
import * as cancel from "@/app/api/rounds/[id]/cancel/route";
import { getDb } from "@/lib/server/db/client";
import { RoundRun } from "@/lib/server/training/round-runner";
import { TrainingWorker } from "@/lib/server/training/worker";
import { account, actAs, body, ctx, fieldPaths, goodExperiment, req } from "./helpers";

const quiet = () => {};

async function newExperiment(over: Record<string, unknown> = {}): Promise<string> {
  const res = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment(over) }));
  expect(res.status).toBe(201);
  return (await body(res)).experiment.id;
}

describe("training rounds", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("root", "admin"));
  });

  it("POST queues a round; a second one is a 409 while the first is active; bad input is 422; unknown experiment 404", async () => {
    const id = await newExperiment({ labellingMode: "synthetic" });
    const res = await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST", body: { episodes: 30 } }), ctx(id));
    expect(res.status).toBe(201);
    const r = (await body(res)).round;
    expect(r).toMatchObject({ experimentId: id, index: 1, status: "queued", phase: "queued", episodesTotal: 30, episodesDone: 0, progress: 0 });

    const again = await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id));
    expect(again.status).toBe(409);
    expect((await body(again)).error.code).toBe("CONFLICT");

    const db = await getDb();
    const before = await db.trainingRound.count();
    const bad = await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST", body: { episodes: 0 } }), ctx(id));
    expect(bad.status).toBe(422);
    expect(fieldPaths(await body(bad))).toEqual(["episodes"]);
    const unknownKey = await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST", body: { speed: 9 } }), ctx(id));
    expect(unknownKey.status).toBe(422);
    expect(await db.trainingRound.count()).toBe(before);

    const missing = await rounds.POST(req("/api/experiments/nope/rounds", { method: "POST" }), ctx("nope"));
    expect(missing.status).toBe(404);
    const missingList = await rounds.GET(req("/api/experiments/nope/rounds"), ctx("nope"));
    expect(missingList.status).toBe(404);

    const listed = await rounds.GET(req(`/api/experiments/${id}/rounds`), ctx(id));
    expect((await body(listed)).rounds.map((x: { id: string }) => x.id)).toEqual([r.id]);
    const got = await round.GET(req(`/api/rounds/${r.id}`), ctx(r.id));
    expect((await body(got)).round.id).toBe(r.id);
    expect((await round.GET(req("/api/rounds/nope"), ctx("nope"))).status).toBe(404);
  });

  it("the worker runs a synthetic round to done: trajectories, labelled pairs, checkpoint, metrics, dashboards", async () => {
    const id = await newExperiment({ labellingMode: "synthetic", episodesPerRound: 40, pairsPerRound: 8 });
    const posted = await body(await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id)));
    const db = await getDb();
    await new TrainingWorker(db, { log: quiet }).drain();

    const r = (await body(await round.GET(req(`/api/rounds/${posted.round.id}`), ctx(posted.round.id)))).round;
    expect(r).toMatchObject({ status: "done", phase: "finished", progress: 1, episodesDone: 40, episodesTotal: 40, error: null });
    expect(await db.trajectory.count({ where: { experimentId: id, round: 1 } })).toBe(40);
    expect(await db.pair.count({ where: { experimentId: id, status: "done" } })).toBe(8);
    expect(await db.label.count({ where: { pair: { experimentId: id }, source: "synthetic" } })).toBe(8);
    expect(await db.checkpoint.count({ where: { experimentId: id } })).toBe(1);

    const d = await body(await dashboard.GET(req(`/api/experiments/${id}/dashboard`), ctx(id)));
    expect(d.episodes).toHaveLength(40);
    expect(d.rounds).toHaveLength(1);
    expect(d.rounds[0]).toMatchObject({ round: 1, episodes: 40, pairs: 8, labels: { human: 0, synthetic: 8 } });
    expect(d.heatmap.learned).toHaveLength(16);
    expect(d.heatmap.potential[15]).toBe(0);
    expect(d.labels.bySource).toEqual({ human: 0, synthetic: 8 });
    expect((await dashboard.GET(req("/api/experiments/nope/dashboard"), ctx("nope"))).status).toBe(404);

    // Round 2 continues from round 1's checkpoint: its episodes are numbered after round 1's.
    await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST", body: { episodes: 10 } }), ctx(id));
    await new TrainingWorker(db, { log: quiet }).drain();
    const d2 = await body(await dashboard.GET(req(`/api/experiments/${id}/dashboard`), ctx(id)));
    expect(d2.episodes.map((e: { episode: number }) => e.episode).slice(38)).toEqual([38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(d2.rounds.map((x: { round: number }) => x.round)).toEqual([1, 2]);
    // Every stored episode is also summed into its round's EpisodeBucket rows (what long runs are drawn from).
    const buckets = await db.episodeBucket.findMany({ where: { experimentId: id }, orderBy: [{ round: "asc" }, { bucket: "asc" }] });
    expect(buckets.map((b) => [b.round, b.bucket, b.episodes])).toEqual([
      [1, 0, 10],
      [1, 1, 10],
      [1, 2, 10],
      [1, 3, 10],
      [2, 4, 10],
    ]);
    expect(buckets.reduce((s, b) => s + b.successes, 0)).toBe(d2.episodes.reduce((s: number, e: { success: number }) => s + e.success, 0));
  });

  it("cancel: a queued round is cancelled once (then 409); unknown round 404", async () => {
    const id = await newExperiment();
    const r = (await body(await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id)))).round;
    const res = await cancel.POST(req(`/api/rounds/${r.id}/cancel`, { method: "POST" }), ctx(r.id));
    expect(res.status).toBe(200);
    expect((await body(res)).round).toMatchObject({ status: "cancelled", error: "cancelled by a user" });
    const again = await cancel.POST(req(`/api/rounds/${r.id}/cancel`, { method: "POST" }), ctx(r.id));
    expect(again.status).toBe(409);
    expect((await cancel.POST(req("/api/rounds/nope/cancel", { method: "POST" }), ctx("nope"))).status).toBe(404);
  });

  it("a worker stopped mid-round leaves it running; the next worker resumes it from its checkpoint without duplicates", async () => {
    const id = await newExperiment({ labellingMode: "synthetic", episodesPerRound: 120, pairsPerRound: 6 });
    await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id));
    const db = await getDb();
    const first = new TrainingWorker(db, { log: quiet });
    const claimed = (await first.claim())!;
    // Stop after 40 episodes, as a SIGTERM would (the runner asks once per episode while collecting).
    let asked = 0;
    const done = new RoundRun(db, claimed, first.id, () => ++asked > 40, quiet).run();
    expect(await done).toBe("stopped");
    const left = await db.trainingRound.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(left.status).toBe("running");
    const committed = await db.trajectory.count({ where: { experimentId: id } });
    expect(committed).toBe(left.episodesDone);

    // A new worker sees the stale heartbeat and resumes.
    const second = new TrainingWorker(db, { log: quiet, staleMs: 0 });
    await second.drain();
    const finished = await db.trainingRound.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(finished.status).toBe("done");
    expect(finished.workerId).toBe(second.id);
    expect(await db.trajectory.count({ where: { experimentId: id } })).toBe(120);
    expect(await db.metric.count({ where: { experimentId: id, kind: "episode" } })).toBe(120);
    const r = (await body(await round.GET(req(`/api/rounds/${claimed.id}`), ctx(claimed.id)))).round;
    expect(r.note).toMatch(/resumed/);
  });

  it("a round that keeps dying is marked failed with the reason, never left running", async () => {
    const id = await newExperiment({ labellingMode: "synthetic", episodesPerRound: 30 });
    await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id));
    const db = await getDb();
    const w = new TrainingWorker(db, { log: quiet, staleMs: 0 });
    // staleMs 0: a round counts as orphaned once its heartbeat is older than now, so let a millisecond pass.
    const tick = () => new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 4; i++) {
      await tick();
      const claimed = (await w.claim())!;
      expect(claimed.status).toBe("running");
      expect(await new RoundRun(db, claimed, w.id, () => true, quiet).run()).toBe("stopped");
    }
    await tick();
    const claimed = (await w.claim())!;
    expect(await new RoundRun(db, claimed, w.id, () => false, quiet).run()).toBe("failed");
    const row = await db.trainingRound.findUniqueOrThrow({ where: { id: claimed.id } });
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/resumed 3 times without finishing/);
  });
});
