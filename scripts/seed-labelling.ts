// A database ready for many labellers at once (crash and load tests): one human-labelled experiment on an 8x8
// maze with `pairs` open pairs (k = 1), and `users` labeller accounts with their own passwords. Uses DATABASE_URL.
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

export async function seedLabelling(opts: { pairs: number; users: number; prefix?: string }): Promise<SeededLabelling> {
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
  for (let start = 0; start < opts.pairs; start += CHUNK) {
    const count = Math.min(CHUNK, opts.pairs - start);
    const ids = await insertTrajectories(
      db,
      exp.id,
      Array.from({ length: count * 2 }, (_, i) => walk(12 + ((start * 2 + i) % 30), start * 2 + i)),
    );
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
