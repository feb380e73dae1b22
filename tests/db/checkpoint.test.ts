import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { OprlAgent, type LearnerState } from "@/lib/rl/agent";
import { initBackend } from "@/lib/rl/backend";
import { presetConfig, type TrainConfig } from "@/lib/rl/config";
import { stepEpisode } from "@/lib/rl/episode";
import { applyCheckpoint, encodeCheckpoint, parseCheckpointMeta } from "@/lib/server/training/checkpoint";
import { Rng } from "@/lib/rng";

// The checkpoint carries what an agent learned besides its weights (Adam moments, self-imitation memory,
// latest episodes, transitions seen): restored into a fresh agent, the next updates are the same as the
// original agent's, number for number. Without that state they differ (the test below shows it can fail).
beforeAll(async () => {
  await initBackend();
});

const config: TrainConfig = { ...presetConfig("default"), seed: 1, evalEpisodes: 0 };

async function trained(): Promise<OprlAgent> {
  const agent = new OprlAgent(config, new Rng("cp:train"));
  for (let e = 0; e < 40; e++) stepEpisode(agent, e);
  return agent;
}

const plain = (s: LearnerState) => ({
  policyOptimizer: { steps: s.policyOptimizer.steps, moments: s.policyOptimizer.moments.map((m) => Array.from(m)) },
  rewardOptimizer: { steps: s.rewardOptimizer.steps, moments: s.rewardOptimizer.moments.map((m) => Array.from(m)) },
  successes: s.successes.map((t) => [Array.from(t.cells), Array.from(t.actions), Array.from(t.rewards), t.return, t.success]),
  recent: s.recent.map((t) => [Array.from(t.cells), Array.from(t.actions), Array.from(t.rewards), t.return, t.success]),
  edges: Array.from(s.edges),
});

/** Two more episodes with policy updates, from the same generator: the weights they end with. */
function continueFrom(agent: OprlAgent): number[] {
  (agent as unknown as { rng: Rng }).rng = new Rng("cp:continue");
  for (let e = 40; e < 42; e++) stepEpisode(agent, e);
  return agent.policy.getWeights().flatMap((w) => Array.from(w.slice(0, 50)));
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

describe("checkpoint codec: learner state", () => {
  it("round-trips optimiser moments, successes, latest episodes and transitions; the next updates are the same to float rounding", async () => {
    const source = await trained();
    const state = await source.learnerState();
    expect(state.successes.length).toBeGreaterThan(0);
    expect(state.policyOptimizer.steps).toBe(40);
    expect(state.recent).toHaveLength(config.policy.batchEpisodes);

    const cp = await encodeCheckpoint(source, { phase: "final", roundIndex: 1, baseEpisodes: 0, episodesDone: 40 });
    const meta = parseCheckpointMeta(cp.meta);
    expect(meta.learner?.successes.length).toBe(state.successes.length);

    const tensors = tf.memory().numTensors;
    const restored = new OprlAgent(config, new Rng("cp:other"));
    await applyCheckpoint(restored, { meta: cp.meta, policyWeights: cp.policyWeights, rewardWeights: cp.rewardWeights });
    expect(plain(await restored.learnerState())).toEqual(plain(state));
    expect(Array.from(restored.rewardTable())).toEqual(Array.from(source.rewardTable()));
    // Adam's bias correction is restored as beta^(steps + 1) rather than multiplied up step by step: float32 rounding apart, the same.
    expect(maxDiff(continueFrom(restored), continueFrom(source))).toBeLessThan(1e-6);
    restored.dispose();
    // Restoring made no tensors it did not release (the optimiser's variables go with the agent).
    expect(tf.memory().numTensors).toBe(tensors);
    source.dispose();
  });

  it("a checkpoint without learner state (written before) restores the weights alone, and then the updates differ", async () => {
    const source = await trained();
    const cp = await encodeCheckpoint(source, { phase: "final", roundIndex: 1, baseEpisodes: 0, episodesDone: 40 });
    const meta = parseCheckpointMeta(cp.meta);
    const sizes = (xs: number[]) => xs.reduce((a, b) => a + b, 0) * 4;
    const old = {
      meta: JSON.stringify({ ...meta, learner: undefined }),
      policyWeights: cp.policyWeights.slice(0, sizes(meta.policySizes)),
      rewardWeights: cp.rewardWeights.slice(0, sizes(meta.rewardSizes)),
    };
    const restored = new OprlAgent(config, new Rng("cp:other"));
    await applyCheckpoint(restored, old);
    expect(restored.policy.getWeights().map((w) => Array.from(w))).toEqual(source.policy.getWeights().map((w) => Array.from(w)));
    const s = await restored.learnerState();
    expect([s.policyOptimizer.steps, s.successes.length, s.recent.length]).toEqual([0, 0, 0]);
    expect(maxDiff(continueFrom(restored), continueFrom(source))).toBeGreaterThan(1e-4);
    restored.dispose();
    source.dispose();
  });

  it("replay refuses actions that are not one whole episode", () => {
    const agent = new OprlAgent(config, new Rng(0));
    expect(() => agent.replay([0, 1])).toThrow(/had not ended/);
    agent.dispose();
  });
});
