import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "@/lib/rl/backend";
import { oneHot, RewardNet } from "@/lib/rl/nets";
import { buildBatch, preferenceLoss, preferenceStats, type Preference, type ScoreMode } from "@/lib/rl/preferences";
import type { Trajectory } from "@/lib/rl/trajectory";
import { Rng } from "@/lib/rng";

const CELLS = 16;

function randomTrajectory(rng: Rng): Trajectory {
  const length = 1 + rng.int(12);
  const cells = Int32Array.from({ length: length + 1 }, () => rng.int(6)); // few cells: many repeats
  return { cells, actions: new Uint8Array(length), rewards: new Float32Array(length), return: 0, length, success: false };
}

function randomPrefs(rng: Rng, n: number): Preference[] {
  return Array.from({ length: n }, () => ({
    left: randomTrajectory(rng),
    right: randomTrajectory(rng),
    label: rng.choice([0, 1, 0.5, 0.3]),
  }));
}

/** The straightforward form: score each trajectory with its own forward pass, then the BT loss pair by pair. */
function perPairLoss(prm: RewardNet, prefs: Preference[], score: ScoreMode): tf.Scalar {
  return tf.tidy(() => {
    const losses = prefs.map((p) => {
      const s = (t: Trajectory) => {
        const r = prm.apply(oneHot(t.cells.subarray(0, t.length), CELLS));
        return score === "sum" ? r.sum() : r.mean();
      };
      const prob = tf.sigmoid(s(p.left).sub(s(p.right)));
      return prob
        .log()
        .mul(p.label)
        .add(
          tf
            .scalar(1)
            .sub(prob)
            .log()
            .mul(1 - p.label),
        )
        .neg();
    });
    return tf.addN(losses).div(prefs.length) as tf.Scalar;
  });
}

describe("batched, deduplicated Bradley-Terry loss", () => {
  beforeAll(async () => {
    await initBackend();
  });

  it.each(["sum", "mean"] as const)("equals the per-pair loss and gradients (%s score)", (score) => {
    const rng = new Rng(3);
    const prm = new RewardNet(rng, CELLS, 32);
    const prefs = randomPrefs(rng, 24);
    const batch = buildBatch(prefs, score);
    expect(batch.cells.length).toBeLessThanOrEqual(6); // each distinct state evaluated once
    const fast = tf.variableGrads(() => preferenceLoss(prm, batch, CELLS), prm.variables);
    const slow = tf.variableGrads(() => perPairLoss(prm, prefs, score), prm.variables);
    expect(fast.value.dataSync()[0]).toBeCloseTo(slow.value.dataSync()[0], 5);
    for (const name of Object.keys(slow.grads)) {
      const a = fast.grads[name].dataSync();
      const b = slow.grads[name].dataSync();
      const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i]) / scale).toBeLessThan(1e-4);
    }
    expect(preferenceStats(prm, batch, CELLS).loss).toBeCloseTo(fast.value.dataSync()[0], 5);
    tf.dispose([fast.value, slow.value, ...Object.values(fast.grads), ...Object.values(slow.grads)]);
    prm.dispose();
  });

  it("a tie (0.5) is minimised by equal scores; accuracy and margin ignore ties", () => {
    const rng = new Rng(1);
    const prm = new RewardNet(rng, CELLS, 8);
    const t = randomTrajectory(rng);
    const batch = buildBatch([{ left: t, right: t, label: 0.5 }], "sum");
    const stats = preferenceStats(prm, batch, CELLS);
    expect(stats.loss).toBeCloseTo(Math.log(2), 6);
    expect(Number.isNaN(stats.accuracy)).toBe(true);
    prm.dispose();
  });
});
