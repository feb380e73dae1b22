import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureMigrated, openDb } from "@/lib/server/db/client";
import { applyMigrations, diffSql, migrationsDirFor, readMigrationList } from "@/lib/server/db/migrate";
import { PROVIDERS, readBaseModels, renderSchema, schemaPath } from "@/prisma/render";
import type { ThrowawayDatabase } from "../../scripts/throwaway-db";
import { BACKENDS } from "./backends";

const MODEL_TABLES = ["User", "Experiment", "Trajectory", "Pair", "Lease", "Label", "TrainingRound", "Checkpoint", "Metric"];

describe.each(BACKENDS)("migrations on $name", (backend) => {
  const databases: ThrowawayDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.drop();
  });
  const fresh = async () => {
    const d = await backend.create();
    databases.push(d);
    return d;
  };

  it("apply every committed migration to an empty database, recorded like the Prisma CLI; a second run applies nothing", async () => {
    const { url } = await fresh();
    const names = readMigrationList(backend.name).migrationDirectories.map((m) => m.path);
    expect(names[0]).toBe("0001_init");
    expect(await applyMigrations(url)).toEqual({ applied: names });
    expect(await applyMigrations(url)).toEqual({ applied: [] });

    const db = await openDb(url, { migrate: false });
    try {
      const rows = await db.$queryRawUnsafe<Array<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      for (const row of rows) {
        // The CLI's checksum: sha256 of the migration file.
        const sql = readFileSync(path.join(migrationsDirFor(backend.name), row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
      }
      // Every model has its table, and the client can use each one.
      for (const table of MODEL_TABLES) {
        const count = await db.$queryRawUnsafe<Array<{ n: unknown }>>(`SELECT COUNT(*) AS n FROM "${table}"`);
        expect(Number(count[0].n)).toBe(0);
      }
    } finally {
      await db.$disconnect();
    }
  });

  it("ensureMigrated runs once per process, however many callers ask at once", async () => {
    const { url } = await fresh();
    await Promise.all([ensureMigrated(url), ensureMigrated(url), ensureMigrated(url)]);
    // The shared promise already applied everything: a direct apply finds nothing to do.
    expect(await applyMigrations(url)).toEqual({ applied: [] });
    const db = await openDb(url);
    expect(await db.user.count()).toBe(0);
    await db.$disconnect();
  });
});

describe("schema files", () => {
  it("the rendered schemas are up to date with prisma/schema.base.prisma (run npm run db:generate)", () => {
    const base = readBaseModels();
    for (const provider of PROVIDERS) {
      expect(readFileSync(schemaPath(provider), "utf8"), provider).toBe(renderSchema(provider, base));
    }
  });

  it("the committed migrations produce the current schema (else: npm run db:migration -- NAME)", async () => {
    const base = readBaseModels();
    // SQLite: replay the real migration files in an in-memory database and compare.
    const sqliteDrift = await diffSql(
      { offline: "sqlite" },
      { tag: "migrations", list: readMigrationList("sqlite") },
      { tag: "schema", content: renderSchema("sqlite", base) },
    );
    expect(sqliteDrift).toBe("");
    // Both: the snapshot db:migration keeps of the last migration matches the models.
    const snapshot = readFileSync(path.join(process.cwd(), "prisma", "schema.migrated.prisma"), "utf8");
    for (const provider of PROVIDERS) {
      const drift = await diffSql(
        { offline: provider },
        { tag: "schema", content: renderSchema(provider, snapshot.replace(/^\/\/.*\n/, "")) },
        { tag: "schema", content: renderSchema(provider, base) },
      );
      expect(drift, provider).toBe("");
    }
    // And the two histories have the same migrations.
    const names = (p: "sqlite" | "postgresql") => readMigrationList(p).migrationDirectories.map((m) => m.path);
    expect(names("postgresql")).toEqual(names("sqlite"));
  });
});
