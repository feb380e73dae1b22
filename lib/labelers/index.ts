import type { Rng } from "../rng";
import type { Trajectory } from "../rl/trajectory";
import type { Choice } from "../contracts/words";

export type { Choice } from "../contracts/words";

/** What a teacher does when both sides are equally good by its measure. */
export type TiePolicy = "equal" | "drop" | "shorter";

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
  // Ties broken by how far from the goal the episode ended, then by length (shorter is better).
  const breakTie = (l: Trajectory, r: Trajectory): Choice => {
    const dl = ctx.distances[l.cells[l.length]];
    const dr = ctx.distances[r.cells[r.length]];
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
      if (Math.abs(rl - rr) <= epsEqual * ctx.goalReward) {
        if (epsEqual > 0 && rl !== rr) return "equal";
        if (rl === rr) return onTie(left, right);
      }
      let choice: Choice;
      if (beta === null) choice = rl > rr ? "left" : "right";
      else choice = rng.uniform() < 1 / (1 + Math.exp(-beta * (rl - rr))) ? "left" : "right";
      if (epsMistake > 0 && rng.uniform() < epsMistake) choice = choice === "left" ? "right" : "left";
      return choice;
    },
  };
}
