// Migration 0009 sets the queue's kept counters from the rows already stored (both providers): a database upgraded
// mid-experiment shows the same counts a recount gives, and the app keeps them from there.
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDb } from "@/lib/server/db/client";
import { applyMigrations, migrationsDirFor } from "@/lib/server/db/migrate";
import { encodeSteps } from "@/lib/server/db/codec";
import { keptQueueCounts, recountQueue } from "@/lib/server/labelling/counters";
import { BACKENDS } from "./backends";

const MIGRATION = "0009_queue_counters";

describe.each(BACKENDS)(`migration ${MIGRATION} on $name`, (backend) => {
  it("backfills Experiment.openPairs and LabellerCount equal to a recount (skips, synthetic labels, other statuses left out)", async () => {
    const all = migrationsDirFor(backend.name);
    const before = mkdtempSync(path.join(tmpdir(), "oprl-mig9q-"));
    for (const name of readdirSync(all))
      if (!/^\d{4}/.test(name) || name < MIGRATION) cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const database = await backend.create();
    await applyMigrations(database.url, { migrationsDir: before });
    let db = await openDb(database.url, { migrate: false });
    try {
      for (const id of ["e-a", "e-b"]) {
        await db.$executeRawUnsafe(
          `INSERT INTO "Experiment" ("id", "name", "config", "labellingMode", "labelsPerPair", "status", "createdAt") VALUES ('${id}', 'x', '{}', 'human', 2, 'active', CURRENT_TIMESTAMP)`,
        );
      }
      await db.user.createMany({
        data: [
          { id: "u-1", name: "u1" },
          { id: "u-2", name: "u2" },
        ],
      });
      const enc = encodeSteps({ actions: [0, 1], cells: [0, 1, 2], rewards: [0, 1] });
      await db.trajectory.createMany({
        data: ["t-1", "t-2"].map((id) => ({ id, experimentId: "e-a", round: 0, policyVersion: 0, ...enc, return: 1, length: 2, success: true })),
      });
      const statuses = ["open", "open", "open", "done", "retired"] as const;
      await db.pair.createMany({
        data: statuses.map((status, i) => ({ id: `p-${i}`, experimentId: "e-a", leftId: "t-1", rightId: "t-2", selection: "random", status, labelsWanted: 2 })),
      });
      await db.label.createMany({
        data: [
          { id: "l-1", pairId: "p-0", source: "human", userId: "u-1", choice: "left" },
          { id: "l-2", pairId: "p-3", source: "human", userId: "u-1", choice: "equal" },
          { id: "l-3", pairId: "p-1", source: "human", userId: "u-1", choice: "skip" },
          { id: "l-4", pairId: "p-4", source: "human", userId: "u-2", choice: "right" },
          { id: "l-5", pairId: "p-3", source: "synthetic", teacher: "oracle", choice: "left" },
        ],
      });

      // The migration runs with no other connection open (SQLite would make it wait).
      await db.$disconnect();
      expect((await applyMigrations(database.url)).applied).toContain(MIGRATION);
      db = await openDb(database.url, { migrate: false });

      expect(await keptQueueCounts(db, "e-a")).toEqual({ openPairs: 3, labelsByUser: { "u-1": 2, "u-2": 1 } });
      expect(await keptQueueCounts(db, "e-a")).toEqual(await recountQueue(db, "e-a"));
      expect(await keptQueueCounts(db, "e-b")).toEqual({ openPairs: 0, labelsByUser: {} });
    } finally {
      await db.$disconnect();
      await database.drop();
    }
  });
});
