import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "@/lib/rl/backend";
import { presetConfig, trainConfigSchema, type TrainConfig } from "@/lib/rl/config";
import { SuccessMemory, selfImitationTargets } from "@/lib/rl/replay";
import { diffRow, fitEnsemble, fitRewardTable, normalizedPotential, TransitionGraph } from "@/lib/rl/reward-table";
import { labelsDue, type LabelPlan } from "@/lib/rl/schedule";
import { pairDisagreement, selectPairs } from "@/lib/rl/selection";
import { rewardVsPotential } from "@/lib/rl/reward-quality";
import { spearman } from "@/lib/rl/stats";
import { train } from "@/lib/rl/train";
import type { Trajectory } from "@/lib/rl/trajectory";
import type { Preference } from "@/lib/rl/preferences";
import { Rng } from "@/lib/rng";

beforeAll(async () => {
  await initBackend();
});

/** A run through `cells`; a success when `win`. */
const run = (cells: number[], win = false): Trajectory => ({
  cells: Int32Array.from(cells),
  actions: new Uint8Array(cells.length - 1),
  rewards: Float32Array.from({ length: cells.length - 1 }, (_, i) => (win && i === cells.length - 2 ? 10 : 0)),
  return: win ? 10 : 0,
  length: cells.length - 1,
  success: win,
});

const plan = (p: Partial<LabelPlan>): LabelPlan => ({ every: 1, startAfter: 1, perQuery: 2, budget: null, schedule: "every", horizon: 100, ...p });

describe("label schedule", () => {
  it("every: perQuery on every k-th episode from startAfter, no limit without a budget", () => {
    const p = plan({ every: 2, startAfter: 3 });
    expect([0, 1, 2, 3, 4, 5, 6].map((e) => labelsDue(p, e, 0))).toEqual([0, 0, 0, 0, 2, 0, 2]);
  });

  it.each([0, 1, 7, 25, 50])("never one label over a budget of %i, and all of it is used (front-loaded and spread)", (budget) => {
    for (const schedule of ["every", "spread"] as const) {
      const p = plan({ budget, schedule, perQuery: 3, horizon: 40 });
      let used = 0;
      const asked: number[] = [];
      for (let e = 0; e < 200; e++) {
        const n = labelsDue(p, e, used);
        if (n) asked.push(e);
        used += n;
        expect(used).toBeLessThanOrEqual(budget);
      }
      expect(used).toBe(budget);
      if (schedule === "spread" && budget >= 25) {
        // Spread: the last query falls near the end of the horizon, not at the start.
        expect(asked[asked.length - 1]).toBeGreaterThan(30);
        expect(asked[0]).toBeLessThan(5);
      }
    }
  });
});

describe("table reward model", () => {
  // A corridor 0-1-2-3-4: runs that ended further along are better.
  const graph = new TransitionGraph(5);
  graph.add(run([0, 1, 2, 3, 4]));
  // Two labels about cells 0, 2 and 4 only: smoothness along the corridor places 1 and 3 between them.
  const prefs: Preference[] = [
    { left: run([0, 1, 2]), right: run([0]), label: 1 },
    { left: run([0, 1, 2]), right: run([0, 1, 2, 3, 4]), label: 0 },
  ];

  it("end score: the difference row holds only the two end cells", () => {
    const row = diffRow({ left: run([0, 1, 2, 3]), right: run([0, 1, 2]) }, "end");
    expect(Array.from(row.idx)).toEqual([3, 2]);
    expect(Array.from(row.val)).toEqual([1, -1]);
  });

  it("recovers the order along the corridor from two labels, and is a stationary point", () => {
    const o = { score: "end" as const, l2: 0.01, smooth: 1 };
    const r = fitRewardTable(prefs, graph, 5, o);
    for (let c = 0; c < 4; c++) expect(r[c + 1]).toBeGreaterThan(r[c]);
    expect(spearman(Array.from(r), [0, 1, 2, 3, 4])).toBe(1);
    // A warm start from the optimum stays there.
    const again = fitRewardTable(prefs, graph, 5, o, undefined, r);
    for (let c = 0; c < 5; c++) expect(again[c]).toBeCloseTo(r[c], 6);
  });

  it("without labels it is zero (the L2 prior), whatever the graph", () => {
    expect(Array.from(fitRewardTable([], graph, 5, { score: "end", l2: 0.01, smooth: 1 }))).toEqual([0, 0, 0, 0, 0]);
  });

  it("does not saturate: more agreeing labels widen the gap instead of hitting a bound", () => {
    const one = fitRewardTable([prefs[0]], null, 5, { score: "end", l2: 0.01, smooth: 0 });
    const many = fitRewardTable(Array(20).fill(prefs[0]), null, 5, { score: "end", l2: 0.01, smooth: 0 });
    expect(many[2] - many[0]).toBeGreaterThan(one[2] - one[0]);
    expect(Math.abs(many[2])).toBeGreaterThan(1);
  });

  it("normalised potential spans [-0.5, 0.5] over the given cells, the goal at the top", () => {
    const phi = normalizedPotential([5, 7, 9, -100, -3], Uint8Array.from([1, 1, 1, 1, 0]), 3);
    expect(Array.from(phi)).toEqual([-0.5, 0, 0.5, 0.5, -0.5]);
    expect(Array.from(normalizedPotential([2, 2, 2], null, 0))).toEqual([0.5, 0, 0]);
  });

  it("ensemble: members differ (bootstrap); a pair the labels settle has lower disagreement than one they never touch", () => {
    const g = new TransitionGraph(6);
    g.add(run([0, 1, 2]));
    g.add(run([3, 4, 5]));
    const labelled = Array.from({ length: 12 }, () => ({ left: run([0, 1, 2]), right: run([0]), label: 1 }));
    const noisy = [...labelled, { left: run([3, 5]), right: run([3, 4]), label: 1 }, { left: run([3, 4]), right: run([3, 5]), label: 1 }];
    const tables = fitEnsemble(noisy, g, 6, { score: "end", l2: 0.01, smooth: 0.1 }, 8, new Rng(3));
    expect(tables).toHaveLength(8);
    expect(tables.some((t) => t[5] !== tables[0][5])).toBe(true);
    const settled = pairDisagreement(tables, run([0, 1, 2]), run([0]), "end");
    const open = pairDisagreement(tables, run([3, 5]), run([3, 4]), "end");
    expect(open).toBeGreaterThan(settled);
  });

  it("reward_spearman compares with -distance over reachable cells but the goal", () => {
    // Cells 0..3 are 3, 2, 1, 0 steps from the goal (cell 3); cell 4 is a wall.
    expect(rewardVsPotential("S..G#", [-3, -2, -1, 99, 0])).toBe(1);
    expect(rewardVsPotential("S..G#", [3, 2, 1, 0, 0])).toBe(-1);
  });
});

describe("pair selection", () => {
  const pool = [run([0, 1]), run([0, 1]), run([0, 2]), run([0, 3])];

  it("disagreement picks the pair the tables disagree on", () => {
    // Tables agree on cells 1 and 2, disagree about 3.
    const tables = [Float64Array.from([0, 1, 2, 5]), Float64Array.from([0, 1, 2, -5])];
    const [best] = selectPairs(pool, new Rng(1), { method: "disagreement", count: 1, candidates: 50, score: "end", tables });
    expect([pool[best.left].cells[1], pool[best.right].cells[1]]).toContain(3);
  });

  it("ends: never two runs that ended in the same cell while others exist; prefers ends no label covered", () => {
    const endLabels = Uint32Array.from([0, 9, 9, 0]);
    const picks = selectPairs(pool, new Rng(2), { method: "ends", count: 2, candidates: 50, score: "end", endLabels });
    for (const p of picks) expect(pool[p.left].cells[1]).not.toBe(pool[p.right].cells[1]);
    const ends = [pool[picks[0].left].cells[1], pool[picks[0].right].cells[1]];
    expect(ends).toContain(3);
  });

  it("random: the requested number of distinct pairs", () => {
    const picks = selectPairs(pool, new Rng(4), { method: "random", count: 3, candidates: 50, score: "end" });
    expect(picks).toHaveLength(3);
    expect(new Set(picks.map((p) => `${Math.min(p.left, p.right)}:${Math.max(p.left, p.right)}`)).size).toBe(3);
  });
});

describe("self-imitation", () => {
  it("keeps the shortest distinct successes only", () => {
    const m = new SuccessMemory(2);
    expect(m.add(run([0, 1, 2], false))).toBe(false);
    expect(m.add(run([0, 1, 2, 3, 9], true))).toBe(true);
    expect(m.add(run([0, 1, 2, 3, 9], true))).toBe(false);
    expect(m.add(run([0, 4, 9], true))).toBe(true);
    expect(m.add(run([0, 1, 3, 2, 5, 9], true))).toBe(false);
    expect(m.add(run([0, 9], true))).toBe(true);
    expect(m.items.map((t) => t.length)).toEqual([1, 2]);
  });

  it("targets: discounted return of the success, advantage clipped at 0 where the critic already expects more", () => {
    const t = run([0, 1, 2], true);
    const values = [0.5, 2, 0];
    const s = selfImitationTargets(t, values, 0.5, 0.1);
    expect(s.returns).toEqual([0.5, 1]);
    expect(s.advantages).toEqual([0, 0]);
    const s2 = selfImitationTargets(t, [0.1, 0.2, 0], 0.5, 0.1);
    expect(s2.advantages[0]).toBeCloseTo(0.4);
    expect(s2.advantages[1]).toBeCloseTo(0.8);
  });
});

describe("label budget in the trainer", () => {
  const short = (patch: (c: TrainConfig) => void): TrainConfig => {
    const c = { ...presetConfig("default"), seed: 2, episodes: 40, evalEpisodes: 0 };
    c.preferences.schedule = "every";
    patch(c);
    return trainConfigSchema.parse(c);
  };

  it("stops at exactly the budget", async () => {
    const { summary, agent } = await train(short((c) => (c.preferences.budget = 7)));
    expect(summary.preferences_used).toBe(7);
    expect(agent.preferences.length).toBe(7);
    agent.dispose();
  });

  it("spread: the whole budget arrives within the horizon, not before", async () => {
    const seen: number[] = [];
    const { summary, agent } = await train(
      short((c) => {
        c.preferences.schedule = "spread";
        c.preferences.budget = 12;
        c.preferences.horizon = 30;
      }),
      { onEpisode: (m) => seen.push(m.preferences) },
    );
    expect(summary.preferences_used).toBe(12);
    expect(seen[15]).toBeLessThan(12);
    expect(seen[31]).toBe(12);
    agent.dispose();
  });

  it("adaptive: once a model exists, asks only about pairs the ensemble cannot order", async () => {
    const never = await train(short((c) => Object.assign(c.preferences, { schedule: "adaptive", budget: 20, threshold: 1 })));
    // Labels come only while fewer than 2 exist (no ensemble yet: episode 1 has one distinct pair, episode 2
    // two more); after that no pair reaches a variance of 1.
    expect(never.summary.preferences_used).toBe(3);
    never.agent.dispose();
    const always = await train(short((c) => Object.assign(c.preferences, { schedule: "adaptive", budget: 20, threshold: 0 })));
    expect(always.summary.preferences_used).toBe(20);
    always.agent.dispose();
  });

  it("asks no teacher at all when shaping is 0", async () => {
    const { summary, agent } = await train(short((c) => (c.shaping.beta = 0)));
    expect(summary.preferences_used).toBe(0);
    expect(agent.preferences.length).toBe(0);
    expect(summary.reward_updates).toBe(0);
    agent.dispose();
  });

  it("table model with selection and self-imitation: a run reports its spearman and stays within budget", async () => {
    const { summary, agent } = await train(
      short((c) => {
        c.rewardModel.kind = "table";
        c.rewardModel.score = "end";
        c.rewardModel.minPreferences = 1;
        c.preferences.budget = 10;
        c.preferences.pairing = "ends";
        c.policy.selfImitation.coef = 1;
        c.shaping.normalize = true;
      }),
    );
    expect(summary.preferences_used).toBe(10);
    expect(summary.reward_spearman).not.toBeNull();
    agent.dispose();
  });
});

describe("label budget in the round loop", () => {
  it("rounds ask for fewer pairs, then none, and never go one label over the budget", async () => {
    const { trainRounds } = await import("@/lib/rl/train-rounds");
    const { presetConfig } = await import("@/lib/rl/config");
    const base = presetConfig("default");
    // Front-loaded (`every`): each round asks what the settings allow until the budget is spent.
    const config = { ...base, seed: 2, episodes: 50, evalEpisodes: 2, preferences: { ...base.preferences, budget: 25, schedule: "every" as const } };
    const result = await trainRounds(config, { roundEpisodes: 10, pairsPerRound: 12, pairSelection: "random", rewardUpdates: 5, heldOutShare: 0 });
    expect(result.preferences).toBe(25);
    expect(result.rounds.map((r) => r.pairs)).toEqual([12, 12, 1, 0, 0]);
  });

  it("spread: the budget over the first `horizon` episodes, as the in-memory schedule spreads it, never one label over", async () => {
    const { trainRounds } = await import("@/lib/rl/train-rounds");
    const { presetConfig } = await import("@/lib/rl/config");
    const base = presetConfig("default");
    const config = {
      ...base,
      seed: 2,
      episodes: 60,
      evalEpisodes: 2,
      preferences: { ...base.preferences, budget: 20, schedule: "spread" as const, horizon: 40 },
    };
    const notes: string[] = [];
    const result = await trainRounds(
      config,
      { roundEpisodes: 10, pairsPerRound: 12, pairSelection: "random", rewardUpdates: 5, heldOutShare: 0 },
      { log: (l) => notes.push(l) },
    );
    // After episodes 10, 20, 30, 40: ceil(20 x (k - 1) / 40) labels at most (startAfter 1), then the budget is spent.
    expect(result.rounds.map((r) => r.pairs)).toEqual([5, 5, 5, 5, 0, 0]);
    expect(result.preferences).toBe(20);
    expect(notes[0]).toMatch(/spread over the first 40 episodes: 5 pairs/);
    // Reproducible: the same seed and config, every round summary and episode the same (optimiser and memory carried).
    const again = await trainRounds(config, { roundEpisodes: 10, pairsPerRound: 12, pairSelection: "random", rewardUpdates: 5, heldOutShare: 0 });
    expect(again.rounds).toEqual(result.rounds);
    expect(again.episodes).toEqual(result.episodes);
  });
});
