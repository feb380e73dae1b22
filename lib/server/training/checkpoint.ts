// Checkpoints: an agent's weights (both networks, flattened float32) and a typed meta that says where in
// its round they were taken. The meta is parsed with zod on the way in: a bad row is an error, not a cast.
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

/** The agent's weights and `meta` (sizes filled in) as a checkpoint row's columns. */
export function encodeCheckpoint(agent: OprlAgent, meta: Omit<CheckpointMeta, "policySizes" | "rewardSizes">): EncodedCheckpoint {
  const policy = agent.policy.getWeights();
  const reward = agent.rewardWeights();
  const full: CheckpointMeta = {
    ...meta,
    policySizes: policy.map((w) => w.length),
    rewardSizes: reward.map((w) => w.length),
  };
  return { policyWeights: encodeFloat32(flat(policy)), rewardWeights: encodeFloat32(flat(reward)), meta: JSON.stringify(full) };
}

/** Loads a checkpoint's weights into an agent; returns its meta. */
export function applyCheckpoint(agent: OprlAgent, cp: StoredCheckpoint): CheckpointMeta {
  const meta = parseCheckpointMeta(cp.meta);
  agent.policy.setWeights(split(decodeFloat32(cp.policyWeights), meta.policySizes));
  agent.setRewardWeights(split(decodeFloat32(cp.rewardWeights), meta.rewardSizes));
  return meta;
}
