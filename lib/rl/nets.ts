import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../rng";

/**
 * Small MLPs built from tf.Variables (no tf.layers): the maze needs two tiny networks, and owning the
 * variables keeps initialisation seeded by our Rng, weights easy to checkpoint and every op inside tf.tidy.
 */

/** PyTorch's default Linear init, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and bias, drawn from our Rng. */
function linear(rng: Rng, fanIn: number, fanOut: number): [tf.Variable, tf.Variable] {
  const bound = 1 / Math.sqrt(fanIn);
  const draw = (n: number) => Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * bound);
  return [variableFrom(tf.tensor2d(draw(fanIn * fanOut), [fanIn, fanOut])), variableFrom(tf.tensor1d(draw(fanOut)))];
}

/** A trainable variable holding `init`'s values; `init` itself is released (tf.variable keeps its own reference). */
function variableFrom(init: tf.Tensor): tf.Variable {
  // tfjs names must be unique per process (several agents may live in one server): let it number them.
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

function layerNormParams(size: number): [tf.Variable, tf.Variable] {
  return [variableFrom(tf.ones([size])), variableFrom(tf.zeros([size]))];
}

/**
 * y = x W + b with a hand-written gradient: tfjs-wasm's matMul with a transposed operand (which the built-in
 * gradient uses for dW = x^T dy and dx = dy W^T) runs several times slower than transposing first.
 */
const dense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b] = args as tf.Tensor2D[];
  (args[3] as tf.GradSaveFunc)([x, w]);
  return {
    value: x.matMul(w).add(b) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [g.matMul(tf.transpose(ws)), tf.transpose(xs).matMul(g), g.sum(0)];
    },
  };
}) as unknown as (x: tf.Tensor2D, w: tf.Variable, b: tf.Variable) => tf.Tensor2D;

/** A linear layer. */
export const affine = (x: tf.Tensor2D, [w, b]: [tf.Variable, tf.Variable]) => dense(x, w, b);

/** LayerNorm over the last axis, eps 1e-5 as PyTorch. Multiplies by rsqrt: wasm's broadcast division is slow. */
function layerNorm(x: tf.Tensor2D, gain: tf.Variable, bias: tf.Variable): tf.Tensor2D {
  const centered = x.sub(x.mean(-1, true));
  const variance = centered.square().mean(-1, true);
  return centered
    .mul(tf.rsqrt(variance.add(1e-5)))
    .mul(gain)
    .add(bias) as tf.Tensor2D;
}

export abstract class Network {
  abstract readonly variables: tf.Variable[];

  /** Weights as plain arrays, in variable order: for checkpoints. */
  getWeights(): Float32Array[] {
    return this.variables.map((v) => v.dataSync() as Float32Array);
  }

  setWeights(weights: ArrayLike<number>[]): void {
    if (weights.length !== this.variables.length) {
      throw new Error(`expected ${this.variables.length} weight arrays, got ${weights.length}`);
    }
    this.variables.forEach((v, i) => {
      if (weights[i].length !== v.size) throw new Error(`weight ${i}: expected ${v.size} values, got ${weights[i].length}`);
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(weights[i]), v.shape)));
    });
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/** Actor-critic: obs -> h ReLU -> h ReLU -> (action logits, state value). */
export class PolicyNet extends Network {
  readonly variables: tf.Variable[];
  private readonly l1: [tf.Variable, tf.Variable];
  private readonly l2: [tf.Variable, tf.Variable];
  private readonly actor: [tf.Variable, tf.Variable];
  private readonly critic: [tf.Variable, tf.Variable];

  constructor(rng: Rng, obsSize: number, numActions: number, hidden = 128) {
    super();
    this.l1 = linear(rng, obsSize, hidden);
    this.l2 = linear(rng, hidden, hidden);
    this.actor = linear(rng, hidden, numActions);
    this.critic = linear(rng, hidden, 1);
    this.variables = [...this.l1, ...this.l2, ...this.actor, ...this.critic];
  }

  apply(obs: tf.Tensor2D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
    const h1 = tf.relu(affine(obs, this.l1));
    const h2 = tf.relu(affine(h1, this.l2));
    const logits = affine(h2, this.actor);
    const values = affine(h2, this.critic).reshape([-1]) as tf.Tensor1D;
    return { logits, values };
  }
}

/** Process reward model: obs -> h LayerNorm ReLU -> h LayerNorm ReLU -> 1 tanh, a reward in [-1, 1] per state. */
export class RewardNet extends Network {
  readonly variables: tf.Variable[];
  private readonly l1: [tf.Variable, tf.Variable];
  private readonly n1: [tf.Variable, tf.Variable];
  private readonly l2: [tf.Variable, tf.Variable];
  private readonly n2: [tf.Variable, tf.Variable];
  private readonly out: [tf.Variable, tf.Variable];

  constructor(rng: Rng, obsSize: number, hidden = 128) {
    super();
    this.l1 = linear(rng, obsSize, hidden);
    this.n1 = layerNormParams(hidden);
    this.l2 = linear(rng, hidden, hidden);
    this.n2 = layerNormParams(hidden);
    this.out = linear(rng, hidden, 1);
    this.variables = [...this.l1, ...this.n1, ...this.l2, ...this.n2, ...this.out];
  }

  /** Step rewards, shape [n]. */
  apply(obs: tf.Tensor2D): tf.Tensor1D {
    const h1 = tf.relu(layerNorm(affine(obs, this.l1), ...this.n1));
    const h2 = tf.relu(layerNorm(affine(h1, this.l2), ...this.n2));
    return tf.tanh(affine(h2, this.out)).reshape([-1]) as tf.Tensor1D;
  }
}

/** One-hot observations for a list of cells. */
export const oneHot = (cells: ArrayLike<number>, numCells: number): tf.Tensor2D =>
  tf.oneHot(tf.tensor1d(Int32Array.from(cells), "int32"), numCells).toFloat() as tf.Tensor2D;

export const adam = (learningRate: number) => tf.train.adam(learningRate, 0.9, 0.999, 1e-8);

/**
 * One optimiser step on `loss` with gradients clipped to a global norm (as torch's clip_grad_norm_:
 * scale by maxNorm / (norm + 1e-6) when that is below 1). Returns the loss before the step.
 */
export function minimize(optimizer: tf.Optimizer, variables: tf.Variable[], loss: () => tf.Scalar, clipNorm: number | null): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, variables);
    let named = grads;
    if (clipNorm !== null) {
      const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => g.square().sum())));
      const scale = tf.minimum(tf.scalar(1), tf.scalar(clipNorm).div(norm.add(1e-6)));
      named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.mul(scale)]));
    }
    optimizer.applyGradients(named);
    return value.dataSync()[0];
  });
}
