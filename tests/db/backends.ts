// The databases every DB suite runs against: SQLite always (a temp file per suite), and
// PostgreSQL when TEST_POSTGRES_URL is set (a fresh database per suite, dropped after).
// Start one with: export TEST_POSTGRES_URL=$(scripts/pg-test.sh | tail -n1)
import { closeSync, openSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb, type Db } from "@/lib/server/db/client";
import { throwawayPostgres, throwawaySqlite, type ThrowawayDatabase } from "../../scripts/throwaway-db";
import { insertUser } from "@/lib/server/auth/users";
import { insertExperiment } from "@/lib/server/experiments/experiments";
import { createPairs, insertTrajectories, type TrajectoryInput } from "@/lib/server/labelling/pairs";

export type Backend = { name: "sqlite" | "postgresql"; create: () => Promise<ThrowawayDatabase> };

const sqlite: Backend = { name: "sqlite", create: async () => throwawaySqlite("db-test") };
const postgres = (adminUrl: string): Backend => ({ name: "postgresql", create: () => throwawayPostgres(adminUrl, "t") });

const pgUrl = process.env.TEST_POSTGRES_URL;
if (!pgUrl && firstInThisRun("pg-not-tested")) {
  console.log("[tests/db] TEST_POSTGRES_URL is not set: PostgreSQL was NOT tested (SQLite only).");
}

/**
 * True in the first test file of this vitest run to ask (files run in worker processes of one
 * parent), so a notice is printed once per run rather than once per file.
 */
function firstInThisRun(what: string): boolean {
  try {
    closeSync(openSync(path.join(os.tmpdir(), `oprl-${what}-${process.ppid}`), "wx"));
    return true;
  } catch {
    return false;
  }
}

export const BACKENDS: Backend[] = pgUrl ? [sqlite, postgres(pgUrl)] : [sqlite];

/** Opens a migrated client on a fresh database of `backend`; call the returned close() in afterAll. */
export async function freshDb(backend: Backend): Promise<{ db: Db; url: string; close: () => Promise<void> }> {
  const database = await backend.create();
  const db = await openDb(database.url, { poolSize: 25 });
  return {
    db,
    url: database.url,
    close: async () => {
      await db.$disconnect();
      await database.drop();
    },
  };
}

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 6)}`;

/** A short random-walk-looking trajectory with `n` steps. */
export function trajectory(n: number, seed = 0, round = 0): TrajectoryInput {
  const actions = Array.from({ length: n }, (_, i) => (i + seed) % 4);
  const cells = Array.from({ length: n + 1 }, (_, i) => (i * 7 + seed) % 400);
  const rewards = Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : -0.01 * ((i + seed) % 3)));
  return { round, policyVersion: round, actions, cells, rewards, success: seed % 2 === 0 };
}

/** An experiment with `pairCount` pairs (priorities descending: pair 0 first in the queue). */
export async function seedExperiment(
  db: Db,
  options: { pairCount: number; labelsPerPair?: number; labellingMode?: "human" | "synthetic" | "mixed"; priorities?: number[] },
) {
  const experiment = await insertExperiment(db, {
    name: uniqueName("exp"),
    config: { maze: "S..\n.#.\n..G", seed: 1 },
    labellingMode: options.labellingMode ?? "human",
    labelsPerPair: options.labelsPerPair ?? 1,
    status: "active",
  });
  const trajectoryIds = await insertTrajectories(
    db,
    experiment.id,
    Array.from({ length: options.pairCount * 2 }, (_, i) => trajectory(3 + (i % 5), i)),
  );
  const pairIds = await createPairs(
    db,
    experiment.id,
    Array.from({ length: options.pairCount }, (_, i) => ({
      leftId: trajectoryIds[2 * i],
      rightId: trajectoryIds[2 * i + 1],
      selection: "random",
      priority: options.priorities?.[i] ?? options.pairCount - i,
    })),
  );
  return { experiment, trajectoryIds, pairIds };
}

export async function seedUsers(db: Db, count: number) {
  const users = [];
  for (let i = 0; i < count; i++) users.push(await insertUser(db, { name: uniqueName("user") }));
  return users;
}
