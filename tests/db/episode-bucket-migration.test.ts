// Migration 0007 sums the episodes already stored into EpisodeBucket rows (both providers), exactly as the round
// runner sums new ones (writeEpisodeMetrics): a database upgraded mid-experiment draws the same curves.
import { mkdtempSync, readdirSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "@/lib/server/db/client";
import { applyMigrations, migrationsDirFor } from "@/lib/server/db/migrate";
import { writeEpisodeMetrics } from "@/lib/server/training/round-metrics";
import type { EpisodeStep } from "@/lib/rl/episode";
import { BACKENDS } from "./backends";

const steps = Array.from(
  { length: 27 },
  (_, i) =>
    ({
      episode: 3 + i,
      epsilon: 0.5 - i / 100,
      trajectory: { return: i % 4 === 0 ? 9.75 : -1, length: i % 4 === 0 ? 25 : 100, success: i % 4 === 0 },
      policy: i % 5 === 0 ? null : { loss: 0.1 * (i % 7), entropy: 1, updates: 1 },
    }) as unknown as EpisodeStep,
);

describe.each(BACKENDS)("migration 0007 on $name", (backend) => {
  it("backfills the stored episodes into EpisodeBucket rows equal to what writeEpisodeMetrics writes; rows that are not episodes are left out", async () => {
    const all = migrationsDirFor(backend.name);
    const before = mkdtempSync(path.join(tmpdir(), "oprl-mig7-"));
    for (const name of readdirSync(all)) if (!/^\d{4}/.test(name) || name < "0007") cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const database = await backend.create();
    await applyMigrations(database.url, { migrationsDir: before });
    let db = await openDb(database.url, { migrate: false });
    try {
      const ids = { old: "e-old", now: "e-now" };
      for (const id of Object.values(ids)) {
        await db.$executeRawUnsafe(
          `INSERT INTO "Experiment" ("id", "name", "config", "labellingMode", "labelsPerPair", "status", "createdAt") VALUES ('${id}', 'x', '{}', 'synthetic', 1, 'active', CURRENT_TIMESTAMP)`,
        );
        await db.$executeRawUnsafe(
          `INSERT INTO "TrainingRound" ("id", "experimentId", "index", "createdAt") VALUES ('r-${id}', '${id}', 2, CURRENT_TIMESTAMP)`,
        );
      }
      // Before 0007: the episode metrics alone (written through the same helper, without the table it fills).
      const { episodeMetric } = await import("@/lib/server/training/round-metrics");
      await db.metric.createMany({ data: steps.map((s) => episodeMetric({ id: "r-e-old", experimentId: ids.old, index: 2 }, s)) });
      await db.metric.create({ data: { experimentId: ids.old, kind: "episode", data: '{"return":1}' } }); // no episode number
      await db.metric.create({ data: { experimentId: ids.old, kind: "episode", episode: 99, data: '{"return":1}' } }); // no round

      // The migration runs with no other connection open (SQLite would make it wait).
      await db.$disconnect();
      expect((await applyMigrations(database.url)).applied).toContain("0007_episode_buckets");
      db = await openDb(database.url, { migrate: false });
      await writeEpisodeMetrics(db, { id: "r-e-now", experimentId: ids.now, index: 2 }, steps);

      const read = async (experimentId: string) =>
        (await db.episodeBucket.findMany({ where: { experimentId }, orderBy: { bucket: "asc" } })).map(({ experimentId: _e, ...b }) => b);
      const backfilled = await read(ids.old);
      const written = await read(ids.now);
      expect(backfilled.map((b) => [b.bucket, b.firstEpisode, b.episodes])).toEqual([
        [0, 3, 7],
        [1, 10, 10],
        [2, 20, 10],
      ]);
      expect(backfilled.length).toBe(written.length);
      backfilled.forEach((b, i) => {
        for (const [k, v] of Object.entries(b)) expect(v, k).toBeCloseTo(written[i][k as keyof typeof b] as number, 6);
      });
    } finally {
      await db.$disconnect();
      await database.drop();
    }
  });
});
