// Checkpoints: an agent's weights (both networks, flattened float32) and a typed meta that says where in
// its round they were taken. The meta is parsed with zod on the way in: a bad row is an error, not a cast.
// Since issue 9 a checkpoint also carries what the agent learned besides its weights (OprlAgent.learnerState):
// each optimiser's Adam moments follow its network's weights in the same column (sizes in meta.learner), the
// self-imitation memory and latest episodes are stored as their action lists (the maze is deterministic, so
// replaying them gives the same runs) and the transitions seen as cell pairs. Without them every round
// restarted Adam and forgot the successes it was imitating (r16s1 at 50 labels: 6/10 seeds -> 10/10 with them).
// A checkpoint without `learner` (written before) restores the weights alone.
import "server-only";
import { z } from "zod";
import type { OprlAgent } from "../../rl/agent";
import { decodeFloat32, encodeFloat32 } from "../db/codec";

export const checkpointMetaSchema = z.object({
  /** collect: mid-collection; labels: pairs chosen (pairIds); final: the round's result. */
  phase: z.enum(["collect", "labels", "final"]),
  roundIndex: z.number().int(),
  /** Episodes of the experiment before this round (for the epsilon schedule). */
  baseEpisodes: z.number().int().min(0),
  /** Episodes of this round done when the checkpoint was taken. */
  episodesDone: z.number().int().min(0),
  policySizes: z.array(z.number().int().min(0)),
  rewardSizes: z.array(z.number().int().min(0)),
  pairIds: z.array(z.string()).optional(),
  learner: z
    .object({
      policySteps: z.number().int().min(0),
      /** Sizes of the policy optimiser's moments, stored after the policy's weights. */
      policyMoments: z.array(z.number().int().min(0)),
      rewardSteps: z.number().int().min(0),
      rewardMoments: z.array(z.number().int().min(0)),
      /** Action lists (0-3) of the self-imitation memory and of the latest episodes. */
      successes: z.array(z.array(z.number().int().min(0).max(3))),
      recent: z.array(z.array(z.number().int().min(0).max(3))),
      /** Transitions seen, flat cell pairs. */
      edges: z.array(z.number().int().min(0)),
    })
    .optional(),
});
export type CheckpointMeta = z.infer<typeof checkpointMetaSchema>;

export interface StoredCheckpoint {
  meta: string;
  policyWeights: Uint8Array;
  rewardWeights: Uint8Array;
}

const flat = (arrays: Float32Array[]) => {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
};

const split = (values: Float32Array, sizes: number[]) => {
  let o = 0;
  return sizes.map((n) => values.subarray(o, (o += n)));
};

export function parseCheckpointMeta(text: string): CheckpointMeta {
  const parsed = checkpointMetaSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`checkpoint meta unreadable: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export interface EncodedCheckpoint {
  meta: string;
  policyWeights: ReturnType<typeof encodeFloat32>;
  rewardWeights: ReturnType<typeof encodeFloat32>;
}

/** The agent's weights, learner state and `meta` (sizes filled in) as a checkpoint row's columns. */
export async function encodeCheckpoint(agent: OprlAgent, meta: Omit<CheckpointMeta, "policySizes" | "rewardSizes" | "learner">): Promise<EncodedCheckpoint> {
  const policy = agent.policy.getWeights();
  const reward = agent.rewardWeights();
  const learner = await agent.learnerState();
  const full: CheckpointMeta = {
    ...meta,
    policySizes: policy.map((w) => w.length),
    rewardSizes: reward.map((w) => w.length),
    learner: {
      policySteps: learner.policyOptimizer.steps,
      policyMoments: learner.policyOptimizer.moments.map((m) => m.length),
      rewardSteps: learner.rewardOptimizer.steps,
      rewardMoments: learner.rewardOptimizer.moments.map((m) => m.length),
      successes: learner.successes.map((t) => Array.from(t.actions)),
      recent: learner.recent.map((t) => Array.from(t.actions)),
      edges: Array.from(learner.edges),
    },
  };
  return {
    policyWeights: encodeFloat32(flat([...policy, ...learner.policyOptimizer.moments])),
    rewardWeights: encodeFloat32(flat([...reward, ...learner.rewardOptimizer.moments])),
    meta: JSON.stringify(full),
  };
}

/** Loads a checkpoint's weights (and learner state, when it has one) into a fresh agent; returns its meta. */
export async function applyCheckpoint(agent: OprlAgent, cp: StoredCheckpoint): Promise<CheckpointMeta> {
  const meta = parseCheckpointMeta(cp.meta);
  const l = meta.learner;
  const policy = split(decodeFloat32(cp.policyWeights), [...meta.policySizes, ...(l?.policyMoments ?? [])]);
  const reward = split(decodeFloat32(cp.rewardWeights), [...meta.rewardSizes, ...(l?.rewardMoments ?? [])]);
  agent.policy.setWeights(policy.slice(0, meta.policySizes.length));
  agent.setRewardWeights(reward.slice(0, meta.rewardSizes.length));
  if (l) {
    await agent.setLearnerState({
      policyOptimizer: { steps: l.policySteps, moments: policy.slice(meta.policySizes.length) },
      rewardOptimizer: { steps: l.rewardSteps, moments: reward.slice(meta.rewardSizes.length) },
      successes: l.successes.map((a) => agent.replay(a)),
      recent: l.recent.map((a) => agent.replay(a)),
      edges: Int32Array.from(l.edges),
    });
  }
  return meta;
}
