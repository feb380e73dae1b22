// The human labelling loop through the API, with the real worker: routing to the waiting round, skips that never
// block it, late labels kept for the next round, and mixed mode's people-first rule.
import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as experiments from "@/app/api/experiments/route";
import * as one from "@/app/api/experiments/[id]/route";
import * as rounds from "@/app/api/experiments/[id]/rounds/route";
import * as round from "@/app/api/rounds/[id]/route";
import * as targets from "@/app/api/label/targets/route";
import * as next from "@/app/api/label/next/route";
import * as queue from "@/app/api/label/queue/route";
import * as label from "@/app/api/pairs/[id]/label/route";
import * as labellers from "@/app/api/experiments/[id]/labellers/route";
import * as exportRoute from "@/app/api/experiments/[id]/export/route";
import { getDb } from "@/lib/server/db/client";
import { loadPreferences } from "@/lib/server/training/round-store";
import { keptQueueCounts, recountQueue } from "@/lib/server/labelling/counters";
import { TrainingWorker } from "@/lib/server/training/worker";
import { distancesToGoal, judgeByTruth, parseLayout } from "@/lib/maze";
import { account, actAs, body, ctx, goodExperiment, req, type Session } from "./helpers";

/** The queue's kept counters (Experiment.openPairs, LabellerCount) equal a recount of the rows. */
async function expectCountersExact(experimentId: string) {
  const db = await getDb();
  const [kept, truth] = await Promise.all([keptQueueCounts(db, experimentId), recountQueue(db, experimentId)]);
  expect(kept).toEqual(truth);
}

const quiet = (l: string) => void (process.env.LOOP_DEBUG && console.log(l));
const MAZE = "S...\n.#..\n.#..\n...G";
const dist = distancesToGoal(parseLayout(MAZE));

async function newExperiment(over: Record<string, unknown>): Promise<string> {
  const res = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ maze: { kind: "text", text: MAZE }, ...over }) }));
  expect(res.status).toBe(201);
  return (await body(res)).experiment.id;
}

/** Starts a round and a worker; resolves once the round waits for labels. */
async function startRound(id: string) {
  const r = (await body(await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id)))).round;
  const db = await getDb();
  const worker = new TrainingWorker(db, { log: quiet }).drain();
  for (let i = 0; i < 600; i++) {
    const now = (await body(await round.GET(req(`/api/rounds/${r.id}`), ctx(r.id)))).round;
    if (now.phase === "labelling" || ["done", "failed", "cancelled"].includes(now.status)) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return { roundId: r.id as string, worker };
}

const take = async (who: Session, experimentId: string) => body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId }, as: who })));
const give = async (who: Session, pairId: string, choice: string) => {
  const res = await label.POST(
    req(`/api/pairs/${pairId}/label`, { method: "POST", as: who, body: { labelId: randomUUID(), choice, responseMs: 500 } }),
    ctx(pairId),
  );
  expect(res.status).toBe(201);
  return body(res);
};
const truthOf = (pair: { left: { cells: number[]; success: boolean }; right: { cells: number[]; success: boolean } }) =>
  judgeByTruth(dist, pair.left, pair.right);

describe("the labelling loop", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("root", "admin"));
    await experiments.GET(req("/api/experiments")); // the demo, with more open pairs than any round here
    // Its first round would keep this file's workers busy: these tests run their own.
    const db = await getDb();
    await db.trainingRound.updateMany({ where: { experimentId: "demo", status: "queued" }, data: { status: "cancelled" } });
  });

  it("routes to the waiting round, and a labeller who skips still brings it to its target; it trains on exactly those labels", async () => {
    const id = await newExperiment({ labellingMode: "human", episodesPerRound: 20, pairsPerRound: 4, labelTimeLimitSec: 600 });
    const { roundId, worker } = await startRound(id);
    const t = await body(await targets.GET(req("/api/label/targets")));
    expect(t.experiments[0]).toMatchObject({ id, round: { index: 1, have: 0, target: 4, etaSeconds: null } });
    expect(t.experiments.find((e: { id: string }) => e.id === "demo").round).toBeNull();

    const lu = await account("loop-lu");
    const status = await body(await queue.GET(req(`/api/label/queue?experiment=${id}`, { as: lu })));
    expect(status).toEqual({ stats: { experimentId: id, openPairs: 4, labelledByYou: 0 }, round: expect.objectContaining({ index: 1, have: 0, target: 4 }) });
    const db = await getDb();
    expect(await db.lease.count({ where: { userId: lu.id } })).toBe(0); // GET leased nothing

    let served = await take(lu, id);
    let skips = 0;
    const decided: string[] = [];
    for (let i = 0; i < 40 && decided.length < 4; i++) {
      if (!served.pair) {
        await new Promise((r) => setTimeout(r, 300)); // the worker replaces skipped pairs once a second
        served = await take(lu, id);
        continue;
      }
      const choice = skips < 2 ? "skip" : truthOf(served.pair);
      if (choice === "skip") skips++;
      const answer = await give(lu, served.pair.pairId, choice);
      expect(answer.late).toBeNull();
      if (choice !== "skip") decided.push(answer.labelId);
      served = answer.next;
    }
    expect(decided).toHaveLength(4);
    await worker;
    const done = (await body(await round.GET(req(`/api/rounds/${roundId}`), ctx(roundId)))).round;
    expect(done).toMatchObject({ status: "done", labels: { have: 4, target: 4 } });
    expect(done.note).toMatch(/2 pairs everyone skipped replaced by new ones/);
    expect(done.note).not.toMatch(/time limit/);
    expect(await db.pair.count({ where: { experimentId: id, status: "retired" } })).toBe(2);
    expect(await db.pair.count({ where: { experimentId: id, selection: "replacement" } })).toBe(2);
    const trained = await loadPreferences(db, id, 0);
    expect(trained.train).toHaveLength(4);

    const q = await body(await labellers.GET(req(`/api/experiments/${id}/labellers`), ctx(id)));
    expect(q.labellers).toEqual([
      { user: "loop-lu", decided: 4, skips: 2, truth: { compared: 4, agree: 4, rate: 1 }, gold: { labels: 0, correct: 0, rate: null }, medianResponseMs: 500 },
    ]);
    const lines = (await (await exportRoute.GET(req(`/api/experiments/${id}/export`), ctx(id))).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.every((l: { truth: string }) => ["left", "right", "equal"].includes(l.truth))).toBe(true);
    // Skipped pairs retired and replaced by the round runner: the kept counters still equal a recount.
    await expectCountersExact(id);
  });

  it("a label given after its round closed is kept, the labeller is told, and the next round trains on it", async () => {
    const id = await newExperiment({ labellingMode: "human", episodesPerRound: 20, pairsPerRound: 3, labelTimeLimitSec: 5 });
    const { roundId, worker } = await startRound(id);
    const mo = await account("loop-mo");
    const held = await take(mo, id);
    await worker; // the time limit passes with mo holding a pair
    const closed = (await body(await round.GET(req(`/api/rounds/${roundId}`), ctx(roundId)))).round;
    expect(closed).toMatchObject({ status: "done", labels: { have: 0, target: 3 } });
    expect(closed.note).toMatch(/time limit reached with 0 of 3 labels/);
    const db = await getDb();
    expect(await db.pair.count({ where: { experimentId: id, status: "open" } })).toBe(0);

    const answer = await give(mo, held.pair.pairId, "left");
    expect(answer.late).toEqual({ round: 1, countsFor: 2 });
    expect(answer.pair.status).toBe("retired");
    expect(await db.label.count({ where: { pair: { experimentId: id }, choice: { not: "skip" } } })).toBe(1);
    // Someone without a lease cannot label a retired pair.
    const other = await label.POST(
      req(`/api/pairs/${held.pair.pairId}/label`, { method: "POST", as: await account("loop-nn"), body: { labelId: randomUUID(), choice: "left" } }),
      ctx(held.pair.pairId),
    );
    expect((await body(other)).error.code).toBe("PAIR_CLOSED");

    await one.PATCH(req(`/api/experiments/${id}`, { method: "PATCH", body: { labellingMode: "synthetic" } }), ctx(id));
    const r2 = (await body(await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id)))).round;
    await new TrainingWorker(db, { log: quiet }).drain();
    const second = (await body(await round.GET(req(`/api/rounds/${r2.id}`), ctx(r2.id)))).round;
    expect(second.status).toBe("done");
    expect(second.note).toMatch(/1 late label given after round 1 closed trained here/);
    const prefs = await loadPreferences(db, id, 0);
    expect(prefs.train.length).toBe(1 + 3); // mo's late label and round 2's three teacher labels
    // Retired at the time limit, a late label, a synthetic round: the kept counters still equal a recount.
    await expectCountersExact(id);
  });

  it("mixed mode: people first; the teacher labels only pairs that waited longer than teacherAfterSec", async () => {
    const id = await newExperiment({ labellingMode: "mixed", episodesPerRound: 20, pairsPerRound: 4, labelTimeLimitSec: 600, teacherAfterSec: 3 });
    const { roundId, worker } = await startRound(id);
    const db = await getDb();
    const started = Date.now();
    const pa = await account("loop-pa");
    const served = await take(pa, id);
    await give(pa, served.pair.pairId, truthOf(served.pair));
    // pa walks away from the pair the answer leased them; once the lease runs out the teacher may take it.
    await db.lease.updateMany({ where: { userId: pa.id, labelId: null }, data: { expiresAt: new Date() } });
    await new Promise((r) => setTimeout(r, 1500));
    // Still within the wait: the teacher has not touched a pair.
    if (Date.now() - started < 3000) expect(await db.label.count({ where: { pair: { experimentId: id }, source: "synthetic" } })).toBe(0);
    await worker;
    const done = (await body(await round.GET(req(`/api/rounds/${roundId}`), ctx(roundId)))).round;
    expect(done.status).toBe("done");
    expect(done.note).toMatch(/the teacher labelled 3 pairs people had left waiting/);
    expect(await db.label.count({ where: { pairId: served.pair.pairId, source: "synthetic" } })).toBe(0);
    expect(await db.label.count({ where: { pair: { experimentId: id }, source: "synthetic" } })).toBe(3);
    const teacherLabels = await db.label.findMany({ where: { pair: { experimentId: id }, source: "synthetic" }, include: { pair: true } });
    for (const l of teacherLabels) expect(l.createdAt.getTime() - l.pair.createdAt.getTime()).toBeGreaterThanOrEqual(3000);
    await expectCountersExact(id);
  });

  it("gold pairs: mixed into a labeller's queue at the experiment's rate, scored against the truth, never trained on or counted", async () => {
    const id = await newExperiment({ labellingMode: "human", episodesPerRound: 20, pairsPerRound: 30, labelTimeLimitSec: 600, goldRate: 0.5 });
    const { roundId, worker } = await startRound(id);
    const db = await getDb();
    const go = await account("loop-go");
    let served = await take(go, id);
    let gold = 0;
    let given = 0;
    for (let i = 0; i < 30 && served.pair && gold < 2; i++) {
      const isGold = (await db.pair.findUniqueOrThrow({ where: { id: served.pair.pairId } })).selection === "gold";
      if (isGold) {
        gold++;
        expect(truthOf(served.pair)).not.toBe("equal");
      }
      const answer = await give(go, served.pair.pairId, truthOf(served.pair));
      given++;
      served = answer.next;
    }
    expect(gold).toBe(2);
    const r = (await body(await round.GET(req(`/api/rounds/${roundId}`), ctx(roundId)))).round;
    await db.trainingRound.update({ where: { id: roundId }, data: { status: "cancelled" } }); // stop waiting for the other pairs
    await worker;
    const q = await body(await labellers.GET(req(`/api/experiments/${id}/labellers`), ctx(id)));
    expect(q.labellers[0]).toMatchObject({ user: "loop-go", decided: given, gold: { labels: 2, correct: 2, rate: 1 } });
    // The round counted only its own pairs' labels; training reads leave gold out.
    expect(r.labels.have).toBeLessThanOrEqual(given - 2);
    expect((await loadPreferences(db, id, 0)).train).toHaveLength(given - 2);
    // Gold pairs made on the fly count as open pairs while open.
    await expectCountersExact(id);
  });
});
