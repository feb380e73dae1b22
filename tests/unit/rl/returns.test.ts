import { describe, expect, it } from "vitest";
import { discountedReturns, gae, standardize } from "@/lib/rl/returns";
import { Rng } from "@/lib/rng";

const rng = new Rng(11);
const rewards = Array.from({ length: 17 }, () => (rng.uniform() < 0.2 ? 10 : rng.uniform() - 0.5));
const values = Array.from({ length: 18 }, () => rng.uniform() * 5);

describe("returns and advantages equal the plain sums", () => {
  it("discounted returns: G_t = sum_k gamma^k r_{t+k} + gamma^(T-t) * bootstrap", () => {
    const gamma = 0.98;
    const fast = discountedReturns(rewards, gamma, 2.5);
    rewards.forEach((_, t) => {
      let g = 0;
      for (let k = t; k < rewards.length; k++) g += gamma ** (k - t) * rewards[k];
      g += gamma ** (rewards.length - t) * 2.5;
      expect(fast[t]).toBeCloseTo(g, 4);
    });
  });

  it("GAE: A_t = sum_k (gamma lambda)^k delta_{t+k}", () => {
    const gamma = 0.97;
    const lambda = 0.9;
    const fast = gae(rewards, values, gamma, lambda);
    const delta = rewards.map((r, t) => r + gamma * values[t + 1] - values[t]);
    rewards.forEach((_, t) => {
      let a = 0;
      for (let k = t; k < rewards.length; k++) a += (gamma * lambda) ** (k - t) * delta[k];
      expect(fast[t]).toBeCloseTo(a, 4);
    });
  });

  it("GAE with lambda 1 is the bootstrapped return minus the value", () => {
    const adv = gae(rewards, values, 0.9, 1);
    const ret = discountedReturns(rewards, 0.9, values[values.length - 1]);
    adv.forEach((a, t) => expect(a).toBeCloseTo(ret[t] - values[t], 4));
    expect(() => gae(rewards, values.slice(1), 0.9, 1)).toThrow(/expected 18 values/);
  });

  it("standardize uses the unbiased std, as torch", () => {
    const x = standardize(Float32Array.from([1, 2, 3, 4]));
    const std = Math.sqrt(5 / 3);
    expect(Array.from(x).map((v) => +v.toFixed(5))).toEqual([-1.5, -0.5, 0.5, 1.5].map((v) => +(v / std).toFixed(5)));
  });
});
