// A database ready for many labellers at once (crash and load tests): one human-labelled experiment on an 8x8
// maze with `pairs` open pairs (k = 1), and `users` labeller accounts with their own passwords. Uses DATABASE_URL.
// `trajectories` bounds how many runs the pairs are drawn from (default: two new runs per pair); the load test's
// 100,000 pairs share a few thousand runs, so seeding writes pairs, not 200,000 trajectories.
import { closeDb, getDb } from "../lib/server/db/client";
import { createExperiment } from "../lib/server/experiments/experiments";
import { hashPassword } from "../lib/server/auth/password";
import { createPairs, insertTrajectories, type TrajectoryInput } from "../lib/server/labelling/pairs";
import { createExperimentSchema } from "../lib/contracts/experiment";

const LAYOUT = "S.......\n.##.....\n.#...#..\n.#.#.#..\n...#....\n.###.##.\n......#.\n.......G";

function walk(n: number, seed: number): TrajectoryInput {
  return {
    round: 0,
    policyVersion: 0,
    actions: Array.from({ length: n }, (_, i) => (i * 7 + seed) % 4),
    cells: Array.from({ length: n + 1 }, (_, i) => (i * 13 + seed) % 64),
    rewards: Array.from({ length: n }, (_, i) => (i === n - 1 && seed % 3 === 0 ? 10 : 0)),
    success: seed % 3 === 0,
  };
}

export interface SeededLabelling {
  experimentId: string;
  labellers: { name: string; password: string }[];
}

export async function seedLabelling(opts: { pairs: number; users: number; prefix?: string; trajectories?: number }): Promise<SeededLabelling> {
  const db = await getDb();
  const exp = await createExperiment(
    db,
    createExperimentSchema.parse({
      name: "Load: 8x8, human labels",
      preset: "default",
      seed: 1,
      maze: { kind: "text", text: LAYOUT },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "human",
      labelsPerPair: 1,
      episodesPerRound: 100,
      pairsPerRound: 32,
      pairSelection: "random",
      labelTimeLimitSec: 600,
    }),
  );
  const CHUNK = 5000;
  const pool = opts.trajectories ? Math.max(2, Math.min(opts.trajectories, opts.pairs * 2)) : 0;
  const shared: string[] = [];
  for (let start = 0; start < pool; start += CHUNK) {
    const count = Math.min(CHUNK, pool - start);
    shared.push(
      ...(await insertTrajectories(
        db,
        exp.id,
        Array.from({ length: count }, (_, i) => walk(12 + ((start + i) % 30), start + i)),
      )),
    );
  }
  for (let start = 0; start < opts.pairs; start += CHUNK) {
    const count = Math.min(CHUNK, opts.pairs - start);
    let ids: string[];
    if (pool) {
      // Pair n takes runs n and n + 1 + floor(n / pool) of the pool (mod pool): never the same run twice in a pair.
      ids = Array.from({ length: count }, (_, i) => {
        const n = start + i;
        return [shared[n % pool], shared[(n + 1 + (Math.floor(n / pool) % (pool - 1))) % pool]];
      }).flat();
    } else {
      ids = await insertTrajectories(
        db,
        exp.id,
        Array.from({ length: count * 2 }, (_, i) => walk(12 + ((start * 2 + i) % 30), start * 2 + i)),
      );
    }
    await createPairs(
      db,
      exp.id,
      Array.from({ length: count }, (_, i) => ({ leftId: ids[2 * i], rightId: ids[2 * i + 1], selection: "random", priority: (start + i) % 97 })),
    );
  }
  const prefix = opts.prefix ?? "labeller";
  const labellers = Array.from({ length: opts.users }, (_, i) => ({
    name: `${prefix}-${i + 1}`,
    password: `pw-${prefix}-${i + 1}-${Math.random().toString(36).slice(2, 10)}`,
  }));
  for (const l of labellers) await db.user.create({ data: { name: l.name, role: "labeler", passwordHash: await hashPassword(l.password) } });
  await closeDb();
  return { experimentId: exp.id, labellers };
}
