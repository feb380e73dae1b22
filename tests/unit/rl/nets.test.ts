import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "@/lib/rl/backend";
import { affine, PolicyNet, RewardNet } from "@/lib/rl/nets";
import { Rng } from "@/lib/rng";

beforeAll(async () => {
  await initBackend();
});

const close = (a: tf.Tensor, b: tf.Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i], 4);
};

describe("networks", () => {
  it("the hand-written dense gradient equals tfjs's own matMul gradient", () => {
    const x = tf.randomNormal([7, 5], 0, 1, "float32", 1) as tf.Tensor2D;
    const w = tf.variable(tf.randomNormal([5, 3], 0, 1, "float32", 2));
    const b = tf.variable(tf.randomNormal([3], 0, 1, "float32", 3));
    const target = tf.randomNormal([7, 3], 0, 1, "float32", 4);
    const loss = (f: () => tf.Tensor) => () => f().sub(target).square().sum() as tf.Scalar;
    const ours = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => loss(() => affine(xx as tf.Tensor2D, [ww as tf.Variable, bb as tf.Variable]))())([
      x,
      w,
      b,
    ]);
    const theirs = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => loss(() => (xx as tf.Tensor2D).matMul(ww as tf.Tensor2D).add(bb))())([x, w, b]);
    ours.forEach((g, i) => close(g, theirs[i]));
    tf.dispose([x, w, b, target, ...ours, ...theirs]);
  });

  it("shapes, ranges, seeded init and weight round-trip", () => {
    const a = new PolicyNet(new Rng(1), 64, 4, 32);
    const b = new PolicyNet(new Rng(1), 64, 4, 32);
    const obs = tf.eye(64) as tf.Tensor2D;
    const out = a.apply(obs);
    expect(out.logits.shape).toEqual([64, 4]);
    expect(out.values.shape).toEqual([64]);
    close(out.logits, b.apply(obs).logits);
    const prm = new RewardNet(new Rng(2), 64, 16);
    const r = prm.apply(obs).dataSync();
    expect(r.length).toBe(64);
    expect(Math.max(...Array.from(r, Math.abs))).toBeLessThanOrEqual(1);
    const copy = new RewardNet(new Rng(99), 64, 16);
    copy.setWeights(prm.getWeights());
    close(copy.apply(obs), prm.apply(obs));
    expect(() => copy.setWeights([new Float32Array(3)])).toThrow(/expected 10 weight arrays/);
    [a, b, prm, copy].forEach((n) => n.dispose());
    obs.dispose();
  });
});
