import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, migrationsDirFor } from "@/lib/server/db/migrate";
import { sqliteFilePath } from "@/lib/server/db/sqlite-path";
import { BACKENDS } from "./backends";

// Migration 0004 moves each round's live state from its 'round-state' Metric row into TrainingRound.state.
describe.each(BACKENDS)("round state migration on $name", (backend) => {
  it("a round's newest round-state row becomes its state column, and the rows go", async () => {
    const kind = backend.name;
    const all = migrationsDirFor(kind);
    const before = mkdtempSync(path.join(tmpdir(), "oprl-mig-"));
    // The committed migrations before 0004 (and the lock file).
    for (const name of readdirSync(all)) if (!/^\d{4}/.test(name) || name < "0004") cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const database = await backend.create();
    try {
      await applyMigrations(database.url, { migrationsDir: before });
      const exec = await sqlRunner(kind, database.url);
      try {
        await exec(
          `INSERT INTO "Experiment" ("id", "name", "config", "labellingMode", "labelsPerPair", "status", "createdAt") VALUES ('e1', 'x', '{}', 'synthetic', 1, 'active', CURRENT_TIMESTAMP)`,
        );
        for (const r of ["r1", "r2"])
          await exec(
            `INSERT INTO "TrainingRound" ("id", "experimentId", "index", "createdAt") VALUES ('${r}', 'e1', ${r === "r1" ? 1 : 2}, CURRENT_TIMESTAMP)`,
          );
        const metric = (id: string, kindName: string, data: string, at: string) =>
          exec(
            `INSERT INTO "Metric" ("id", "experimentId", "roundId", "kind", "data", "createdAt") VALUES ('${id}', 'e1', 'r1', '${kindName}', '${data}', '${at}')`,
          );
        await metric("m1", "round-state", '{"phase":"collecting","resumes":0}', "2026-01-01 00:00:00");
        await metric("m2", "round-state", '{"phase":"labelling","resumes":1}', "2026-01-01 00:00:05");
        await metric("m3", "episode", '{"return":1}', "2026-01-01 00:00:01");
      } finally {
        await exec.close();
      }
      expect((await applyMigrations(database.url)).applied).toContain("0004_round_state");
      const read = await sqlRunner(kind, database.url);
      try {
        expect(await read(`SELECT "id", "state" FROM "TrainingRound" ORDER BY "id"`)).toEqual([
          { id: "r1", state: '{"phase":"labelling","resumes":1}' },
          { id: "r2", state: null },
        ]);
        expect(await read(`SELECT "id" FROM "Metric" ORDER BY "id"`)).toEqual([{ id: "m3" }]);
      } finally {
        await read.close();
      }
    } finally {
      await database.drop();
    }
  });
});

type Runner = ((sql: string) => Promise<unknown[]>) & { close: () => Promise<void> };

async function sqlRunner(kind: "sqlite" | "postgresql", url: string): Promise<Runner> {
  if (kind === "sqlite") {
    const db = new Database(sqliteFilePath(url));
    const run = async (sql: string) => (/^\s*select/i.test(sql) ? db.prepare(sql).all() : (db.prepare(sql).run(), []));
    return Object.assign(run, { close: async () => void db.close() });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const run = async (sql: string) => (await client.query(sql)).rows;
  return Object.assign(run, { close: () => client.end() });
}
