import type { Rng } from "../rng";
import type { Trajectory } from "../rl/trajectory";
import type { Choice } from "../contracts/words";

export type { Choice } from "../contracts/words";

/**
 * What a teacher does when both sides are equally good by its measure (typically two failures).
 * shorter: the run that ended fewer true maze steps from the goal (an oracle that knows the maze);
 * manhattan / euclidean: the run whose end LOOKS closer, by grid or straight-line distance ignoring walls
 * (a person glancing at the picture: misled by a dead end that ends near the goal). Then the shorter run.
 */
export const TIE_POLICIES = ["equal", "drop", "shorter", "manhattan", "euclidean"] as const;
export type TiePolicy = (typeof TIE_POLICIES)[number];

/**
 * B-Pref's simulated teacher (Lee et al. 2021), parameterised as (beta, gamma, epsMistake, epsSkip, epsEqual):
 * beta = null is a perfectly rational teacher, a number a Boltzmann one; gamma < 1 is myopic (later steps
 * weigh more); epsMistake flips the answer; epsSkip / epsEqual are fractions of the goal reward below which a
 * pair is skipped (both sides that poor) or called equal (sides that close).
 */
export interface TeacherSpec {
  kind: TeacherKind;
  tiePolicy: TiePolicy;
  /** Boltzmann rationality; null = perfectly rational (B-Pref's beta = infinity, which JSON cannot hold). */
  beta: number | null;
  gamma: number;
  epsMistake: number;
  epsSkip: number;
  epsEqual: number;
}

export const TEACHER_KINDS = ["return", "oracle", "noisy", "mistake", "skip", "equal", "myopic"] as const;
export type TeacherKind = (typeof TEACHER_KINDS)[number];

/** The named B-Pref teachers; `return` is the original's labeller: left only when its return is strictly higher. */
export const TEACHER_PRESETS: Record<TeacherKind, Omit<TeacherSpec, "kind" | "tiePolicy">> = {
  return: { beta: null, gamma: 1, epsMistake: 0, epsSkip: 0, epsEqual: 0 },
  oracle: { beta: null, gamma: 1, epsMistake: 0, epsSkip: 0, epsEqual: 0 },
  noisy: { beta: 1, gamma: 1, epsMistake: 0, epsSkip: 0, epsEqual: 0 },
  mistake: { beta: null, gamma: 1, epsMistake: 0.1, epsSkip: 0, epsEqual: 0 },
  skip: { beta: null, gamma: 1, epsMistake: 0, epsSkip: 0.1, epsEqual: 0 },
  equal: { beta: null, gamma: 1, epsMistake: 0, epsSkip: 0, epsEqual: 0.1 },
  myopic: { beta: null, gamma: 0.9, epsMistake: 0, epsSkip: 0, epsEqual: 0 },
};

export interface TeacherContext {
  goalReward: number;
  /** BFS distance to the goal for every cell, for the `shorter` tie policy. */
  distances: Int32Array;
  /** Grid width and goal cell, for the manhattan / euclidean tie policies (how far an end looks). */
  cols?: number;
  goal?: number;
}

/** Apparent distance of every cell to the goal, ignoring walls. */
export function apparentDistances(numCells: number, cols: number, goal: number, metric: "manhattan" | "euclidean"): Float64Array {
  const gr = Math.floor(goal / cols);
  const gc = goal % cols;
  return Float64Array.from({ length: numCells }, (_, c) => {
    const dr = Math.abs(Math.floor(c / cols) - gr);
    const dc = Math.abs((c % cols) - gc);
    return metric === "manhattan" ? dr + dc : Math.hypot(dr, dc);
  });
}

export interface Teacher {
  readonly spec: TeacherSpec;
  judge(left: Trajectory, right: Trajectory, rng: Rng): Choice;
}

/** Probability that left is better for a choice; null when the pair carries no label (skip). */
export const choiceToLabel = (choice: Choice): number | null => (choice === "left" ? 1 : choice === "right" ? 0 : choice === "equal" ? 0.5 : null);

export function makeTeacher(spec: TeacherSpec, ctx: TeacherContext): Teacher {
  const { beta, gamma, epsMistake, epsSkip, epsEqual } = spec;
  // Myopic return: sum_t gamma^(T-1-t) r_t, so the end of the episode counts most.
  const judgedReturn = (t: Trajectory) => {
    let g = 0;
    for (let i = 0; i < t.length; i++) g = g * gamma + t.rewards[i];
    return g;
  };
  const looks = spec.tiePolicy === "manhattan" || spec.tiePolicy === "euclidean";
  if (looks && (ctx.cols === undefined || ctx.goal === undefined)) throw new Error(`tie policy ${spec.tiePolicy} needs the grid width and goal cell`);
  const measure: ArrayLike<number> = looks ? apparentDistances(ctx.distances.length, ctx.cols!, ctx.goal!, spec.tiePolicy as "manhattan") : ctx.distances;
  // Ties broken by how far from the goal the episode ended (truly or apparently), then by length (shorter is better).
  const breakTie = (l: Trajectory, r: Trajectory): Choice => {
    const dl = measure[l.cells[l.length]];
    const dr = measure[r.cells[r.length]];
    if (dl !== dr) return dl < dr ? "left" : "right";
    if (l.length !== r.length) return l.length < r.length ? "left" : "right";
    return "equal";
  };
  const onTie = (l: Trajectory, r: Trajectory): Choice => (spec.tiePolicy === "equal" ? "equal" : spec.tiePolicy === "drop" ? "skip" : breakTie(l, r));

  return {
    spec,
    judge(left, right, rng) {
      const rl = judgedReturn(left);
      const rr = judgedReturn(right);
      if (spec.kind === "return") {
        // The original labeller: a tie (the common 0 vs 0 case) becomes "right is better", a position bias.
        return rl > rr ? "left" : "right";
      }
      if (epsSkip > 0 && Math.max(rl, rr) < epsSkip * ctx.goalReward) return "skip";
      const flip = (choice: Choice): Choice =>
        (choice === "left" || choice === "right") && epsMistake > 0 && rng.uniform() < epsMistake ? (choice === "left" ? "right" : "left") : choice;
      if (Math.abs(rl - rr) <= epsEqual * ctx.goalReward) {
        if (epsEqual > 0 && rl !== rr) return "equal";
        // A mistake teacher errs on ranked failures too (most labels are two failures).
        if (rl === rr) return flip(onTie(left, right));
      }
      let choice: Choice;
      if (beta === null) choice = rl > rr ? "left" : "right";
      else choice = rng.uniform() < 1 / (1 + Math.exp(-beta * (rl - rr))) ? "left" : "right";
      return flip(choice);
    },
  };
}
