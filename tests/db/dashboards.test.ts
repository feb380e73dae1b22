// The dashboard's aggregation in SQL (both providers): episode buckets and moving averages equal what a plain
// pass over every stored episode gives, long runs come back as a bounded number of points, reward-model steps
// are thinned in order, labels and agreement are counted right, and a poll with the current version is answered
// `{ unchanged: true }` until a metric or a label is written.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { episodeSeries, getDashboard, MAX_EPISODE_POINTS, MAX_REWARD_POINTS, RAW_EPISODE_LIMIT } from "@/lib/server/experiments/dashboards";
import { experimentFirstView, FIRST_VIEW_ROUNDS } from "@/lib/server/experiments/first-view";
import { labellerQuality } from "@/lib/server/experiments/labellers";
import { labellersResponse } from "@/lib/contracts/labellers";
import { EPISODE_BUCKET, writeEpisodeMetrics } from "@/lib/server/training/round-metrics";
import type { EpisodeStep } from "@/lib/rl/episode";
import { createPairs, insertTrajectories } from "@/lib/server/labelling/pairs";
import { insertUser } from "@/lib/server/auth/users";
import { movingAverage } from "@/lib/rl/stats";
import type { DashboardDto } from "@/lib/contracts/dashboard";
import { seedDashboardExperiment } from "../../scripts/seed-dashboard";
import { BACKENDS, freshDb, trajectory, uniqueName } from "./backends";

type Ep = { episode: number; round: number; return: number; success: boolean; length: number; policyLoss: number | null };

async function storedEpisodes(db: Db, experimentId: string): Promise<Ep[]> {
  const rows = await db.metric.findMany({ where: { experimentId, kind: "episode" }, orderBy: { episode: "asc" } });
  return rows.map((r) => ({ episode: r.episode!, ...JSON.parse(r.data) }));
}

async function full(db: Db, id: string, since?: string): Promise<DashboardDto> {
  const d = await getDashboard(db, id, since);
  if ("unchanged" in d) throw new Error("expected a full dashboard");
  return d;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(BACKENDS)("dashboard aggregation on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close?.());

  it("a short run: one point per episode, the plain 20-episode moving averages", async () => {
    const { experimentId } = await seedDashboardExperiment(db, { rounds: 3, episodesPerRound: 50, seed: 3 });
    const eps = await storedEpisodes(db, experimentId);
    const d = await full(db, experimentId);
    expect(d.episodeStats).toEqual({ total: 150, bucketSize: 1 });
    expect(d.episodes.map((p) => p.episode)).toEqual(eps.map((e) => e.episode));
    const ma = movingAverage(
      eps.map((e) => e.return),
      20,
    );
    const sma = movingAverage(
      eps.map((e) => (e.success ? 1 : 0)),
      20,
    );
    d.episodes.forEach((p, i) => {
      expect(p.returnMA).toBeCloseTo(ma[i], 2);
      expect(p.successMA).toBeCloseTo(sma[i], 2);
      expect(p).toMatchObject({ episodes: 1, round: eps[i].round, length: eps[i].length, success: eps[i].success ? 1 : 0 });
      expect(p.return).toBeCloseTo(eps[i].return, 2);
      expect(p.returnMin).toBe(p.returnMax);
    });
    expect(d.episodes.filter((p) => p.policyLoss === null).length).toBe(eps.filter((e) => e.policyLoss === null).length);
    expect(d.episodes[60]).toMatchObject({ round: 2, inRound: 10 });
    expect(d.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(d.rewardUpdateStats).toEqual({ total: 60, stride: 1 });
    expect(d.rewardUpdates.map((r) => `${r.round}:${r.step}`).slice(18, 22)).toEqual(["1:18", "1:19", "2:20", "2:21"]);
  });

  it("a long run: bounded points, buckets inside rounds that add up to every episode, thinned reward steps", async () => {
    const { experimentId } = await seedDashboardExperiment(db, { rounds: 25, episodesPerRound: 70, seed: 4 });
    const eps = await storedEpisodes(db, experimentId);
    const d = await full(db, experimentId);
    expect(1750).toBeGreaterThan(RAW_EPISODE_LIMIT); // read from the stored buckets
    const size = EPISODE_BUCKET * Math.ceil(1750 / MAX_EPISODE_POINTS / EPISODE_BUCKET);
    expect(d.episodeStats).toEqual({ total: 1750, bucketSize: size });
    expect(d.episodes.length).toBeLessThanOrEqual(MAX_EPISODE_POINTS + 25);
    expect(d.episodes.reduce((s, p) => s + p.episodes, 0)).toBe(1750);
    for (const p of d.episodes) {
      const inside = eps.filter((e) => e.episode >= p.episode && e.episode < p.episode + p.episodes);
      expect(inside.length).toBe(p.episodes);
      expect(new Set(inside.map((e) => e.round))).toEqual(new Set([p.round])); // never straddles a round
      expect(p.episodes).toBeLessThanOrEqual(size);
      expect(p.return).toBeCloseTo(mean(inside.map((e) => e.return)), 2);
      expect(p.returnMin).toBeCloseTo(Math.min(...inside.map((e) => e.return)), 2);
      expect(p.returnMax).toBeCloseTo(Math.max(...inside.map((e) => e.return)), 2);
      expect(p.success).toBeCloseTo(mean(inside.map((e) => (e.success ? 1 : 0))), 2);
    }
    // The moving average of the last point covers whole buckets of at least 20 episodes, ending with it.
    const last = d.episodes[d.episodes.length - 1];
    let n = 0;
    const covered: number[] = [];
    for (let i = d.episodes.length - 1; i >= 0 && n < 20; i--) {
      n += d.episodes[i].episodes;
      covered.push(i);
    }
    const window = eps.filter((e) => e.episode >= d.episodes[covered[covered.length - 1]].episode);
    expect(last.returnMA).toBeCloseTo(mean(window.map((e) => e.return)), 2);

    // The stored buckets give what summing the episode metrics gives, at any multiple of their size.
    for (const bucketSize of [10, 30]) {
      const a = await episodeSeries(db, experimentId, { source: "metrics", bucketSize });
      const b = await episodeSeries(db, experimentId, { source: "buckets", bucketSize });
      expect(b.points.length).toBe(a.points.length);
      b.points.forEach((p, i) => {
        const q = a.points[i];
        expect([p.episode, p.episodes, p.round, p.inRound]).toEqual([q.episode, q.episodes, q.round, q.inRound]);
        for (const k of ["return", "returnMin", "returnMax", "returnMA", "success", "successMA", "length", "epsilon"] as const)
          expect(p[k]).toBeCloseTo(q[k], 2);
        expect(p.policyLoss === null).toBe(q.policyLoss === null);
        if (p.policyLoss !== null) expect(p.policyLoss).toBeCloseTo(q.policyLoss!, 3);
      });
    }

    const stride = Math.ceil(500 / MAX_REWARD_POINTS);
    expect(d.rewardUpdateStats).toEqual({ total: 500, stride });
    expect(d.rewardUpdates[0]).toMatchObject({ step: 0, round: 1 });
    expect(d.rewardUpdates[d.rewardUpdates.length - 1]).toMatchObject({ step: 499, round: 25 });
    const steps = d.rewardUpdates.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.length).toBeLessThanOrEqual(MAX_REWARD_POINTS + 1);
    expect(d.heatmap.round).toBe(25);
    expect(d.heatmap.learned).toHaveLength(64);

    // The page is rendered with the first screen only: everything it draws there as the API has it, the last round
    // for the stats, the latest rounds for the round list; the per-round history and reward steps come with a poll.
    const view = (await experimentFirstView(db, experimentId))!;
    expect(view.dashboardComplete).toBe(false);
    const answer = JSON.parse(JSON.stringify(d)) as DashboardDto;
    expect(view.dashboard).toEqual({ ...answer, rounds: answer.rounds.slice(-1), rewardUpdates: [] });
    expect(view.dashboard.rounds[0].round).toBe(25);
    expect(view.rounds.map((r) => r.index)).toEqual(Array.from({ length: FIRST_VIEW_ROUNDS }, (_, i) => 25 - i));
  });

  it("labels by source and person, agreement on pairs both labelled, and `since` until something changes", async () => {
    const { experimentId } = await seedDashboardExperiment(db, { rounds: 1, episodesPerRound: 10, seed: 5 });
    const ann = await insertUser(db, { name: uniqueName("ann") });
    const bob = await insertUser(db, { name: uniqueName("bob") });
    const ids = await insertTrajectories(
      db,
      experimentId,
      Array.from({ length: 6 }, (_, i) => trajectory(4, i, 1)),
    );
    const pairs = await createPairs(
      db,
      experimentId,
      [0, 2, 4].map((i) => ({ leftId: ids[i], rightId: ids[i + 1], selection: "random" })),
    );
    const first = await full(db, experimentId);
    expect(first.labels).toEqual({ bySource: { human: 0, synthetic: 0 }, byPerson: [] });
    expect(first.agreement).toMatchObject({ pairs: 0, compared: 0, rate: null });
    expect(await getDashboard(db, experimentId, first.version)).toEqual({ unchanged: true, version: first.version });

    const label = (pairId: string, choice: "left" | "right" | "equal" | "skip", userId: string | null) =>
      db.label.create({
        data: { id: randomUUID(), pairId, choice, source: userId ? "human" : "synthetic", userId, teacher: userId ? null : "oracle" },
      });
    await label(pairs[0], "left", null);
    await label(pairs[0], "left", ann.id); // agrees
    await label(pairs[0], "right", bob.id); // disagrees
    await label(pairs[1], "equal", null);
    await label(pairs[1], "skip", ann.id); // a skip is not compared
    await label(pairs[2], "right", ann.id); // no teacher label: not compared
    // The answer of the old version is kept (per process) only while that version is current: a full read without
    // `since` after the labels is the new answer, and a second one gives the same.
    expect((await full(db, experimentId)).labels.bySource).toEqual({ human: 4, synthetic: 2 });
    expect(await full(db, experimentId)).toEqual(await full(db, experimentId));
    const d = await getDashboard(db, experimentId, first.version);
    if ("unchanged" in d) throw new Error("labels were written: the dashboard must change");
    expect(d.version).not.toBe(first.version);
    expect(d.labels.bySource).toEqual({ human: 4, synthetic: 2 });
    expect(d.labels.byPerson).toEqual([
      { name: ann.name, left: 1, right: 1, equal: 0, skip: 1, total: 3 },
      { name: bob.name, left: 0, right: 1, equal: 0, skip: 0, total: 1 },
    ]);
    expect(d.agreement).toMatchObject({ pairs: 1, compared: 2, agree: 1, rate: 0.5 });
    expect(d.agreement.matrix.left.left).toBe(1);
    expect(d.agreement.matrix.right.left).toBe(1);
    expect(d.agreement.matrix.equal.equal).toBe(0);

    // A new metric row (a round writing episodes) changes the version too.
    expect(await getDashboard(db, experimentId, d.version)).toEqual({ unchanged: true, version: d.version });
    const round = await db.trainingRound.findFirstOrThrow({ where: { experimentId } });
    const step = { episode: 10, epsilon: 0.1, trajectory: { return: 1, length: 3, success: true }, policy: null } as unknown as EpisodeStep;
    await writeEpisodeMetrics(db, { id: round.id, experimentId, index: 1 }, [step]);
    const after = await full(db, experimentId, d.version);
    expect(after.episodeStats.total).toBe(11);

    // The experiment page is rendered with these answers (first-view.ts), the labellers' table included: what sits
    // above the server-drawn charts is there at first paint instead of arriving with a fetch and pushing them down.
    const view = await experimentFirstView(db, experimentId);
    const answer = JSON.parse(JSON.stringify(after)) as DashboardDto;
    expect(view!.dashboard).toEqual({ ...answer, rewardUpdates: [] });
    expect(view!.dashboardComplete).toBe(false);
    expect(view!.labellers).toEqual(labellersResponse.parse({ labellers: await labellerQuality(db, experimentId) }));
    expect(view!.labellers.labellers.map((l) => [l.user, l.decided, l.skips]).sort()).toEqual(
      [
        [ann.name, 2, 1],
        [bob.name, 1, 0],
      ].sort(),
    );
    expect(await experimentFirstView(db, randomUUID())).toBeNull();
  });
});
