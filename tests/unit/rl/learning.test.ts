import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultLayout, distancesToGoal } from "@/lib/maze";
import { OprlAgent } from "@/lib/rl/agent";
import { initBackend } from "@/lib/rl/backend";
import { presetConfig, trainConfigSchema } from "@/lib/rl/config";
import { adam, minimize, RewardNet } from "@/lib/rl/nets";
import { buildBatch, preferenceLoss, preferenceStats, type Preference } from "@/lib/rl/preferences";
import { train, type EpisodeMetrics } from "@/lib/rl/train";
import { Rng } from "@/lib/rng";

beforeAll(async () => {
  await initBackend();
});

describe("presets", () => {
  it("both presets satisfy the config schema", () => {
    expect(trainConfigSchema.parse(presetConfig("seed")).preset).toBe("seed");
    expect(trainConfigSchema.parse(presetConfig("default")).preset).toBe("default");
  });

  it("the seed preset keeps the original's numbers", () => {
    const c = presetConfig("seed");
    expect(c.policy).toMatchObject({ learningRate: 3e-4, gamma: 0.98, valueCoef: 0.5, entropyCoef: 0.01, clipNorm: 1, updatesPerEpisode: 2 });
    expect(c.policy.epsilon).toEqual({ start: 0.5, end: 0.05, decayEpisodes: 1000 });
    expect(c.rewardModel).toMatchObject({ batchSize: 32, updates: 3, every: 2, score: "sum", minPreferences: 32 });
    expect([c.trajectoryBuffer, c.preferences.bufferSize, c.shaping.beta, c.shaping.mode]).toEqual([200, 500, 0.1, "additive"]);
  });
});

describe("the seed preset's schedule", () => {
  it("updates as often as the original: 2 policy updates per episode after 10, 3 reward-model updates every 2nd after 20 once 32 preferences exist", async () => {
    const { summary, agent } = await train({ ...presetConfig("seed"), seed: 0, episodes: 100, evalEpisodes: 0 });
    // Episodes 11..99 -> 89 x 2 policy updates; a preference on even episodes 12..98 (44); the 32nd arrives at
    // episode 74, so reward-model updates run on even episodes 74..98: 13 x 3.
    expect([summary.policy_updates, summary.preferences_used, summary.reward_updates]).toEqual([178, 44, 39]);
    agent.dispose();
  });
});

describe("reward model learning", () => {
  it("reaches > 90% pair accuracy on preferences from a known reward within seconds", () => {
    // Known reward: -distance to goal per visited state; label by the summed true reward.
    const layout = defaultLayout();
    const dist = distancesToGoal(layout);
    const rng = new Rng(5);
    const agent = new OprlAgent({ ...presetConfig("seed"), seed: 5 }, rng);
    for (let i = 0; i < 120; i++) agent.collectEpisode(1);
    const truth = (cells: Int32Array, n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s -= dist[cells[i]];
      return s / n;
    };
    const pool = agent.trajectories.items;
    const makePrefs = (n: number): Preference[] =>
      Array.from({ length: n }, () => {
        const [left, right] = rng.sample(pool, 2);
        return { left, right, label: truth(left.cells, left.length) > truth(right.cells, right.length) ? 1 : 0 };
      });
    const trainSet = makePrefs(300);
    const heldOut = buildBatch(makePrefs(200), "mean");
    const prm = new RewardNet(rng, 64, 64);
    const opt = adam(3e-3);
    for (let step = 0; step < 150; step++) {
      const batch = buildBatch(rng.sample(trainSet, 64), "mean");
      minimize(opt, prm.variables, () => preferenceLoss(prm, batch, 64), 1);
    }
    expect(preferenceStats(prm, heldOut, 64).accuracy).toBeGreaterThan(0.9);
    prm.dispose();
    opt.dispose();
    agent.dispose();
  });
});

describe("policy learning", () => {
  it("a short seeded default run improves success", async () => {
    const config = { ...presetConfig("default"), seed: 1, episodes: 150, evalEpisodes: 50 };
    const successes: boolean[] = [];
    const { summary, agent } = await train(config, { onEpisode: (m) => successes.push(m.success) });
    const rate = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
    expect(rate(successes.slice(-30))).toBeGreaterThan(rate(successes.slice(0, 30)) + 0.3);
    expect(summary.eval_success).toBeGreaterThan(0.8);
    agent.dispose();
  });

  it("same seed and config give the same numbers; another seed differs", async () => {
    const run = async (seed: number) => {
      const curve: EpisodeMetrics[] = [];
      const config = { ...presetConfig("seed"), seed, episodes: 60, evalEpisodes: 10 };
      const { summary, agent } = await train(config, { onEpisode: (m) => curve.push(m) });
      const weights = agent.rewardModel.getWeights().map((w) => Array.from(w.slice(0, 8)));
      agent.dispose();
      const { train_seconds: _t, tensors_start: _s, tensors_end: _e, ...rest } = summary;
      return { rest, curve, weights };
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(b).toEqual(a);
    expect(c.curve).not.toEqual(a.curve);
  });

  it("keeps tf.memory().numTensors flat across training and frees everything on dispose", async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    // Adam creates its state on its first step: count once both optimisers have run.
    const config = { ...presetConfig("seed"), seed: 2, episodes: 160, evalEpisodes: 5 };
    const { agent } = await train(config, { onEpisode: (m) => m.episode >= 100 && counts.push(tf.memory().numTensors) });
    expect(new Set(counts).size).toBe(1);
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
