// The words both sides speak: every choice, role, mode and status the UI shows and the server stores, defined
// once. The Prisma schema keeps its enums (the database needs them); tests/unit/contracts checks they equal
// these lists. Contracts are plain TypeScript and zod: no Next, React or Prisma here.

/** A labeller's answer on a pair; "skip" is recorded but does not count towards the pair's labels. */
export const CHOICES = ["left", "right", "equal", "skip"] as const;
export type Choice = (typeof CHOICES)[number];
/** The choices that count as a judgement (everything but skip). */
export const COUNTED_CHOICES = ["left", "right", "equal"] as const satisfies readonly Choice[];
export type CountedChoice = (typeof COUNTED_CHOICES)[number];

export const LABEL_SOURCES = ["human", "synthetic"] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/** Each role can do what the one before it can. */
export const ROLES = ["labeler", "researcher", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const LABELLING_MODES = ["human", "synthetic", "mixed"] as const;
export type LabellingMode = (typeof LABELLING_MODES)[number];

export const EXPERIMENT_STATUSES = ["draft", "active", "archived"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const PAIR_STATUSES = ["open", "done", "retired"] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

export const PAIR_SELECTIONS = ["random", "disagreement"] as const;
/** A pair's selection word for a gold pair: a known answer (the maze's exact truth) mixed into one labeller's queue. */
export const GOLD_SELECTION = "gold";
/** A pair's selection word for a pair made to stand in for one every labeller skipped. */
export const REPLACEMENT_SELECTION = "replacement";
export type PairSelection = (typeof PAIR_SELECTIONS)[number];

export const ROUND_STATUSES = ["queued", "running", "done", "failed", "cancelled"] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];
/** A round that still holds its experiment's one slot: a new round waits until it ends. */
export const ACTIVE_ROUND_STATUSES = ["queued", "running"] as const satisfies readonly RoundStatus[];

/** The named steps a running round goes through, in order (the learning core reports them). */
export const ROUND_STEPS = ["collecting", "selecting", "labelling", "reward-model", "policy", "evaluating"] as const;
export type RoundStep = (typeof ROUND_STEPS)[number];
export const ROUND_PHASES = ["queued", ...ROUND_STEPS, "finished"] as const;
export type RoundPhase = (typeof ROUND_PHASES)[number];

/** What a one-time link is for: the first admin, a new account, a new password. */
export const INVITE_PURPOSES = ["setup", "invite", "reset"] as const;
export type InvitePurpose = (typeof INVITE_PURPOSES)[number];

/**
 * Where an instance is in its start (GET /api/health, /api/health/ready): "warming" while it sends itself its first
 * requests (lib/server/warm-http.ts), "ready" once a load balancer may send it people.
 */
export const INSTANCE_STATES = ["warming", "ready"] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];
