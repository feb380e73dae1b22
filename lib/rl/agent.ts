import * as tf from "@tensorflow/tfjs";
import { makeTeacher, choiceToLabel, type Teacher } from "../labelers";
import { MazeEnv, NUM_ACTIONS } from "../maze/env";
import { parseLayout, type MazeLayout } from "../maze/layout";
import { distancesToGoal } from "../maze/truth";
import { Rng } from "../rng";
import type { TrainConfig } from "./config";
import { adam, minimize, oneHot, PolicyNet, RewardNet } from "./nets";
import { buildBatch, preferenceLoss, preferenceStats, scoreCanOrder, statsFromScoreGaps, type Preference, type PreferenceStats } from "./preferences";
import { discountedReturns, gae, standardize } from "./returns";
import { fitEnsemble, fitRewardTable, normalizedPotential, scoreWithTable, TransitionGraph, type TableFitOptions } from "./reward-table";
import { rollout } from "./rollout";
import { pairDisagreement, selectPairs } from "./selection";
import { selfImitationTargets, SuccessMemory } from "./replay";
import type { Trajectory } from "./trajectory";

/** Adam's state: steps taken, then the first moments of every variable and the second moments (none before the first step). */
export interface OptimizerState {
  steps: number;
  moments: Float32Array[];
}

/** The agent's learning state beyond its weights (see OprlAgent.learnerState). */
export interface LearnerState {
  policyOptimizer: OptimizerState;
  rewardOptimizer: OptimizerState;
  successes: Trajectory[];
  recent: Trajectory[];
  /** Transitions seen, as flat cell pairs. */
  edges: Int32Array;
}

async function optimizerState(opt: tf.Optimizer): Promise<OptimizerState> {
  const [iterations, ...moments] = await opt.getWeights();
  const steps = iterations.tensor.dataSync()[0];
  // getWeights makes a new tensor for the step count; the moments are the optimiser's own variables.
  iterations.tensor.dispose();
  return { steps, moments: moments.map((m) => Float32Array.from(m.tensor.dataSync() as Float32Array)) };
}

async function setOptimizerState(opt: tf.Optimizer, variables: tf.Variable[], s: OptimizerState): Promise<void> {
  if (!s.moments.length) return;
  if (s.moments.length !== 2 * variables.length) throw new Error(`expected ${2 * variables.length} optimiser moments, got ${s.moments.length}`);
  const named = [
    { name: "iterations", tensor: tf.scalar(s.steps, "int32") as tf.Tensor },
    ...s.moments.map((m, i) => {
      const v = variables[i % variables.length];
      if (m.length !== v.size) throw new Error(`optimiser moment ${i}: expected ${v.size} values, got ${m.length}`);
      return { name: `moment${i}`, tensor: tf.tensor(m, v.shape) };
    }),
  ];
  await opt.setWeights(named);
  // setWeights keeps variables of its own made from these.
  named.forEach((n) => n.tensor.dispose());
}

export interface PolicyUpdateStats {
  loss: number;
  entropy: number;
}

/** A fixed-capacity FIFO: the oldest item leaves when a new one arrives at capacity (as a deque with maxlen). */
class RingBuffer<T> {
  readonly items: T[] = [];
  constructor(readonly capacity: number) {}
  push(item: T) {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }
  get length() {
    return this.items.length;
  }
}

/**
 * The OPRL learner: a policy, a process reward model, their optimisers and buffers, all seeded from one Rng.
 * It knows nothing of schedules (train.ts), storage or the web: callers drive it episode by episode.
 */
export class OprlAgent {
  readonly layout: MazeLayout;
  readonly env: MazeEnv;
  readonly numCells: number;
  readonly policy: PolicyNet;
  readonly rewardModel: RewardNet;
  readonly teacher: Teacher;
  readonly trajectories: RingBuffer<Trajectory>;
  readonly preferences: RingBuffer<Preference>;
  private readonly policyOptimizer: tf.Optimizer;
  private readonly rewardOptimizer: tf.Optimizer;
  /** Per-cell caches of the networks' outputs, invalid after any update. */
  private actionProbs: Float32Array | null = null;
  private stateValues: Float32Array | null = null;
  private stepRewards: Float32Array | null = null;
  private potential: Float32Array | null = null;
  /** Transitions seen so far: the table reward model's smoothness prior. */
  readonly graph: TransitionGraph;
  /** table reward model: the fitted per-cell reward (null before the first fit). */
  private table: Float64Array | null = null;
  /** Labels so far that involved a run ending in each cell (for `ends` selection). */
  readonly endLabels: Uint32Array;
  /** The shortest distinct successes so far (self-imitation). */
  readonly successes: SuccessMemory;

  constructor(
    readonly config: TrainConfig,
    readonly rng: Rng = new Rng(config.seed),
  ) {
    this.layout = parseLayout(config.env.layout);
    this.env = new MazeEnv(this.layout, config.env);
    this.numCells = this.env.numCells;
    this.policy = new PolicyNet(rng, this.numCells, NUM_ACTIONS, config.policy.hidden);
    this.rewardModel = new RewardNet(rng, this.numCells, config.rewardModel.hidden);
    this.policyOptimizer = adam(config.policy.learningRate);
    this.rewardOptimizer = adam(config.rewardModel.learningRate);
    this.teacher = makeTeacher(config.teacher, {
      goalReward: config.env.goalReward,
      distances: distancesToGoal(this.layout),
      cols: this.layout.cols,
      goal: this.layout.goal,
    });
    this.trajectories = new RingBuffer(config.trajectoryBuffer);
    this.preferences = new RingBuffer(config.preferences.bufferSize);
    this.graph = new TransitionGraph(this.numCells);
    this.endLabels = new Uint32Array(this.numCells);
    this.successes = new SuccessMemory(config.policy.selfImitation.keep);
  }

  private get tableOptions(): TableFitOptions {
    const { score, table } = this.config.rewardModel;
    return { score, l2: table.l2, smooth: table.smooth };
  }

  epsilon(episode: number): number {
    const { start, end, decayEpisodes } = this.config.policy.epsilon;
    return Math.max(end, start - episode / decayEpisodes);
  }

  /**
   * The observation is one-hot, so the networks' outputs for every cell come from one pass over the identity
   * matrix; an episode then reads its action probabilities from this table instead of a pass per step.
   */
  private refreshPolicyTables(): void {
    tf.tidy(() => {
      const { logits, values } = this.policy.apply(tf.eye(this.numCells) as tf.Tensor2D);
      this.actionProbs = tf.softmax(logits).dataSync() as Float32Array;
      this.stateValues = values.dataSync() as Float32Array;
    });
  }

  /** pi(.|cell) for every cell, [cells x actions] row-major. */
  policyTable(): { probs: Float32Array; values: Float32Array } {
    if (!this.actionProbs || !this.stateValues) this.refreshPolicyTables();
    return { probs: this.actionProbs!, values: this.stateValues! };
  }

  /** The learned step reward of every cell (the dashboards' heatmap and the shaping term). */
  rewardTable(): Float32Array {
    if (this.config.rewardModel.kind === "table") {
      this.stepRewards ??= this.table ? Float32Array.from(this.table) : new Float32Array(this.numCells);
      return this.stepRewards;
    }
    this.stepRewards ??= tf.tidy(() => this.rewardModel.apply(tf.eye(this.numCells) as tf.Tensor2D).dataSync() as Float32Array);
    return this.stepRewards;
  }

  /** The potential shaping reads: the reward table, rescaled to [-0.5, 0.5] over visited cells (goal 0.5) when `shaping.normalize`. */
  potentialTable(): Float32Array {
    if (!this.config.shaping.normalize) return this.rewardTable();
    this.potential ??= normalizedPotential(this.rewardTable(), this.graph.visited, this.layout.goal);
    return this.potential;
  }

  /** epsilon-greedy over sampling from the policy, as the original: a random action with chance epsilon. */
  collectEpisode(epsilon: number, store = true): Trajectory {
    const { probs } = this.policyTable();
    const t = rollout(this.env, (cell) =>
      this.rng.uniform() < epsilon ? this.rng.int(NUM_ACTIONS) : this.rng.categorical(probs.subarray(cell * NUM_ACTIONS, (cell + 1) * NUM_ACTIONS)),
    );
    if (store) {
      this.trajectories.push(t);
      if (this.config.rewardModel.kind === "table") this.graph.add(t);
      if (t.success && this.config.policy.selfImitation.coef > 0) this.successes.add(t);
    }
    return t;
  }

  /** The episode that these actions play from the start (the maze is deterministic): a stored run, restored. */
  replay(actions: ArrayLike<number>): Trajectory {
    let i = 0;
    const t = rollout(this.env, () => {
      if (i >= actions.length) throw new Error(`replay: the episode had not ended after ${actions.length} actions`);
      return actions[i++];
    });
    if (i !== actions.length) throw new Error(`replay: the episode ended after ${i} of ${actions.length} actions`);
    return t;
  }

  /** Up to `updates` policy updates; the mean loss and the last entropy, or null when none could run yet. */
  trainPolicy(updates: number): (PolicyUpdateStats & { updates: number }) | null {
    let loss = 0;
    let last: PolicyUpdateStats | null = null;
    let done = 0;
    for (; done < updates; done++) {
      const stats = this.updatePolicy();
      if (!stats) break;
      loss += stats.loss;
      last = stats;
    }
    return last && { loss: loss / done, entropy: last.entropy, updates: done };
  }

  /** Ensemble of reward tables on the labels so far (table model), for selection; null with too few labels. */
  ensembleTables(): Float64Array[] | null {
    return this.ensembleTablesFor(this.preferences.items);
  }

  /** The same ensemble on given labels (a round selects pairs before its labels are loaded into the agent). */
  ensembleTablesFor(prefs: readonly Preference[]): Float64Array[] | null {
    if (this.config.rewardModel.kind !== "table" || prefs.length < 2) return null;
    return fitEnsemble(prefs, this.graph, this.numCells, this.tableOptions, this.config.rewardModel.table.members, this.rng);
  }

  /** Asks the synthetic teacher about `count` pairs; returns how many labels were stored (skips are not). */
  queryTeacher(count: number): number {
    const pq = this.config.preferences;
    if (pq.pairing === "disagreement" || pq.pairing === "ends" || pq.schedule === "adaptive") return this.querySelected(count);
    let stored = 0;
    const pool = this.trajectories.items;
    for (let i = 0; i < count && pool.length >= 2; i++) {
      let left: Trajectory;
      let right: Trajectory;
      if (this.config.preferences.pairing === "latest") {
        left = pool[pool.length - 1];
        right = pool[this.rng.int(pool.length - 1)];
        if (this.rng.uniform() < 0.5) [left, right] = [right, left];
      } else {
        [left, right] = this.rng.sample(pool, 2);
      }
      const label = choiceToLabel(this.teacher.judge(left, right, this.rng));
      if (label !== null) {
        this.storePreference(left, right, label);
        stored++;
      }
    }
    return stored;
  }

  private storePreference(left: Trajectory, right: Trajectory, label: number): void {
    this.preferences.push({ left, right, label });
    this.endLabels[left.cells[left.length]]++;
    this.endLabels[right.cells[right.length]]++;
  }

  /** Selection by lib/rl/selection.ts over the stored trajectories; adaptive asks only about uncertain pairs. */
  private querySelected(count: number): number {
    const pq = this.config.preferences;
    const pool = this.trajectories.items;
    if (pool.length < 2 || count === 0) return 0;
    const tables = this.ensembleTables();
    const method = pq.pairing === "disagreement" || pq.pairing === "ends" ? pq.pairing : "random";
    let pairs = selectPairs(pool, this.rng, {
      method: method === "random" && tables && pq.schedule === "adaptive" ? "disagreement" : method,
      count,
      candidates: pq.candidates,
      score: this.config.rewardModel.score,
      tables: tables ?? undefined,
      endLabels: this.endLabels,
    });
    // Adaptive: once a model exists, ask only about pairs it cannot yet order.
    if (pq.schedule === "adaptive" && tables) {
      const score = this.config.rewardModel.score;
      pairs = pairs.filter((p) => pairDisagreement(tables, pool[p.left], pool[p.right], score) >= pq.threshold);
    }
    let stored = 0;
    for (const p of pairs) {
      let [left, right] = [pool[p.left], pool[p.right]];
      if (this.rng.uniform() < 0.5) [left, right] = [right, left];
      const label = choiceToLabel(this.teacher.judge(left, right, this.rng));
      if (label !== null) {
        this.storePreference(left, right, label);
        stored++;
      }
    }
    return stored;
  }

  /**
   * The reward model's learned state, for checkpoints and the next round: the network's weights, or for the
   * table model the fitted table (empty before its first fit) and the cells seen so far (they set the range
   * the potential is normalised over).
   */
  rewardWeights(): Float32Array[] {
    if (this.config.rewardModel.kind !== "table") return this.rewardModel.getWeights();
    return [this.table ? Float32Array.from(this.table) : new Float32Array(0), Float32Array.from(this.graph.visited)];
  }

  setRewardWeights(weights: ArrayLike<number>[]): void {
    if (this.config.rewardModel.kind !== "table") return this.rewardModel.setWeights(weights);
    const [table, visited] = weights;
    this.table = table && table.length === this.numCells ? Float64Array.from(table) : null;
    if (visited && visited.length === this.numCells) for (let c = 0; c < this.numCells; c++) if (visited[c]) this.graph.visited[c] = 1;
    this.stepRewards = null;
    this.potential = null;
  }

  /**
   * What the agent has learned besides its weights, for the next round and checkpoints: both optimisers'
   * moments (a fresh Adam restarts with bias-corrected full-size steps), the self-imitation memory, the latest
   * episodes (the a2c policy batch) and the transitions seen (the table's smoothness prior).
   */
  async learnerState(): Promise<LearnerState> {
    return {
      policyOptimizer: await optimizerState(this.policyOptimizer),
      rewardOptimizer: await optimizerState(this.rewardOptimizer),
      successes: this.successes.items.slice(),
      recent: this.trajectories.items.slice(-this.config.policy.batchEpisodes),
      edges: Int32Array.from(this.graph.edges),
    };
  }

  /** Restores a learnerState() on a fresh agent (before it has collected or updated anything). */
  async setLearnerState(s: LearnerState): Promise<void> {
    await setOptimizerState(this.policyOptimizer, this.policy.variables, s.policyOptimizer);
    await setOptimizerState(this.rewardOptimizer, this.rewardModel.variables, s.rewardOptimizer);
    for (const t of s.successes) this.successes.add(t);
    for (const t of s.recent) this.trajectories.push(t);
    for (let i = 0; i + 1 < s.edges.length; i += 2) this.graph.addEdge(s.edges[i], s.edges[i + 1]);
    this.potential = null;
  }

  addPreference(pref: Preference): void {
    this.preferences.push(pref);
    // A round loop restores labels without the runs it collected: their transitions still inform the table's prior.
    if (this.config.rewardModel.kind === "table") {
      this.graph.add(pref.left);
      this.graph.add(pref.right);
    }
  }

  /** `updates` Bradley-Terry steps on random batches; null when too few preferences exist yet. */
  updateRewardModel(updates: number): (PreferenceStats & { updates: number }) | null {
    const { batchSize, minPreferences, score, clipNorm } = this.config.rewardModel;
    const prefs = this.preferences.items;
    if (prefs.length < Math.max(minPreferences, 1) || updates === 0) return null;
    if (this.config.rewardModel.kind === "table") return this.fitTable();
    let lossSum = 0;
    let last: PreferenceStats | null = null;
    for (let i = 0; i < updates; i++) {
      const batch = buildBatch(this.rng.sample(prefs, Math.min(batchSize, prefs.length)), score);
      lossSum += minimize(this.rewardOptimizer, this.rewardModel.variables, () => preferenceLoss(this.rewardModel, batch, this.numCells), clipNorm);
      if (i === updates - 1) last = preferenceStats(this.rewardModel, batch, this.numCells);
    }
    this.stepRewards = null;
    return { ...last!, loss: lossSum / updates, updates };
  }

  /** Refits the reward table on every stored preference (warm-started: a few Newton steps). */
  private fitTable(): PreferenceStats & { updates: number } {
    const prefs = this.preferences.items;
    const score = this.config.rewardModel.score;
    this.table = fitRewardTable(prefs, this.graph, this.numCells, this.tableOptions, undefined, this.table ?? undefined);
    this.stepRewards = null;
    this.potential = null;
    const table = this.table;
    const gaps = prefs.map((p) => scoreWithTable(table, p.left, score) - scoreWithTable(table, p.right, score));
    const orderable = prefs.map((p) => scoreCanOrder(p.left, p.right, score));
    return {
      ...statsFromScoreGaps(
        gaps,
        prefs.map((p) => p.label),
        orderable,
      ),
      updates: 1,
    };
  }

  /** Per-step rewards the policy learns from, and the extra advantage term for `advantage` shaping. */
  private shapedRewards(t: Trajectory): { rewards: Float32Array; stepReturns: Float32Array | null } {
    const { mode, beta } = this.config.shaping;
    const { gamma } = this.config.policy;
    const r = t.rewards;
    if (beta === 0) return { rewards: r, stepReturns: null };
    const rHat = mode === "potential" ? this.potentialTable() : this.rewardTable();
    if (mode === "additive") return { rewards: r.map((ri, i) => ri + beta * rHat[t.cells[i]]), stepReturns: null };
    if (mode === "potential") {
      // F = gamma * Phi(s') - Phi(s), Phi = goalReward * r_hat. Raw: Phi(goal) = 0 (terminal). Normalised: Phi in
      // [-0.5, 0.5] with the goal at the top (see normalizedPotential for why centred).
      const scale = beta * this.config.env.goalReward;
      const normalized = this.config.shaping.normalize;
      const phi = (cell: number) => (cell === this.layout.goal && !normalized ? 0 : rHat[cell]);
      return { rewards: r.map((ri, i) => ri + scale * (gamma * phi(t.cells[i + 1]) - phi(t.cells[i]))), stepReturns: null };
    }
    const stepR = Float32Array.from({ length: t.length }, (_, i) => rHat[t.cells[i]]);
    return { rewards: r, stepReturns: discountedReturns(stepR, gamma) };
  }

  /** One policy update in the configured algorithm; null until enough trajectories are stored. */
  updatePolicy(): PolicyUpdateStats | null {
    const pc = this.config.policy;
    const pool = this.trajectories.items;
    if (pool.length < pc.minTrajectories) return null;
    const batch = pc.algorithm === "seed" ? [this.rng.choice(pool)] : pool.slice(-pc.batchEpisodes);
    const { values: cellValues } = this.policyTable();

    const states: number[] = [];
    const actions: number[] = [];
    let advantages: number[] = [];
    const targets: number[] = [];
    let stepAdvantages: number[] = [];
    for (const t of batch) {
      const shaped = this.shapedRewards(t);
      const stepReturns = shaped.stepReturns;
      const rewards = pc.rewardScale === 1 ? shaped.rewards : shaped.rewards.map((r) => r * pc.rewardScale);
      const s = Array.from(t.cells.subarray(0, t.length));
      const v = s.map((c) => cellValues[c]);
      if (pc.algorithm === "seed") {
        // The original: normalised discounted returns as the critic target, advantage = return - V(s).
        const rets = standardize(discountedReturns(rewards, pc.gamma));
        rets.forEach((g, i) => {
          targets.push(g);
          advantages.push(g - v[i]);
        });
      } else {
        // Terminal at the goal; a timeout is a truncation, so bootstrap from V(s_T).
        const last = t.success ? 0 : cellValues[t.cells[t.length]];
        const adv = gae(rewards, [...v, last], pc.gamma, pc.gaeLambda);
        adv.forEach((a, i) => {
          targets.push(a + v[i]);
          advantages.push(a);
        });
      }
      if (stepReturns) stepAdvantages.push(...stepReturns);
      states.push(...s);
      actions.push(...t.actions);
    }
    if (pc.algorithm === "a2c" && pc.normalizeAdvantages) advantages = Array.from(standardize(Float32Array.from(advantages)));
    if (stepAdvantages.length) {
      // Published method: A = A_outcome + w * A_step, each normalised over the batch.
      stepAdvantages = Array.from(standardize(Float32Array.from(stepAdvantages)));
      advantages = advantages.map((a, i) => a + this.config.shaping.beta * stepAdvantages[i]);
    }

    // Self-imitation: replayed successes, imitated where they beat the critic (a2c only).
    const sil = pc.selfImitation;
    const silStates: number[] = [];
    const silActions: number[] = [];
    const silAdv: number[] = [];
    if (pc.algorithm === "a2c" && sil.coef > 0 && this.successes.length > 0) {
      for (let k = 0; k < sil.batch; k++) {
        const s = selfImitationTargets(this.rng.choice(this.successes.items), cellValues, pc.gamma, pc.rewardScale);
        silStates.push(...s.states);
        silActions.push(...s.actions);
        silAdv.push(...s.advantages);
      }
    }
    const useSil = silAdv.some((a) => a > 0);

    let entropy = 0;
    const loss = minimize(
      this.policyOptimizer,
      this.policy.variables,
      () => {
        const { logits, values } = this.policy.apply(oneHot(states, this.numCells));
        const logProbs = tf.logSoftmax(logits);
        const chosen = logProbs.mul(tf.oneHot(tf.tensor1d(actions, "int32"), NUM_ACTIONS)).sum(1);
        const policyLoss = chosen.mul(tf.tensor1d(advantages)).mean().neg();
        const valueLoss = values.sub(tf.tensor1d(targets)).square().mean();
        const ent = tf.exp(logProbs).mul(logProbs).sum(1).mean().neg();
        entropy = ent.dataSync()[0];
        let total = policyLoss.add(valueLoss.mul(pc.valueCoef)).sub(ent.mul(pc.entropyCoef)) as tf.Scalar;
        if (useSil) {
          const out = this.policy.apply(oneHot(silStates, this.numCells));
          const lp = tf
            .logSoftmax(out.logits)
            .mul(tf.oneHot(tf.tensor1d(silActions, "int32"), NUM_ACTIONS))
            .sum(1);
          const adv = tf.tensor1d(silAdv);
          // Value part as the paper: 0.5 * max(0, R - V)^2, i.e. the critic is only pulled up towards the success.
          const silRet = tf.tensor1d(silAdv.map((a, i) => a + cellValues[silStates[i]]));
          const silValue = tf
            .relu(silRet.sub(out.values))
            .square()
            .mean()
            .mul(0.5 * pc.valueCoef);
          total = total.add(lp.mul(adv).mean().neg().add(silValue).mul(sil.coef)) as tf.Scalar;
        }
        return total;
      },
      pc.clipNorm,
    );
    this.actionProbs = null;
    this.stateValues = null;
    return { loss, entropy };
  }

  dispose(): void {
    this.policy.dispose();
    this.rewardModel.dispose();
    this.policyOptimizer.dispose();
    this.rewardOptimizer.dispose();
  }
}
