// Migration commands, run with tsx:
//   npm run db:migrate              apply committed migrations to DATABASE_URL
//   npm run db:migration -- NAME    write prisma/{sqlite,postgresql}/migrations/NNNN_NAME/
//                                   from the change of prisma/schema.base.prisma since the last one
//
// How db:migration knows "the last one": prisma/schema.migrated.prisma holds the models as
// of the newest migration (this command rewrites it). The SQL of each provider is the
// engine's diff from that snapshot to the current models, so no database is needed. Before
// trusting the snapshot, it is checked against the committed SQLite migrations, replayed in
// an in-memory database: a hand-edited migration or snapshot is reported, not built upon.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getConfig, redactUrl } from "../config";
import { applyMigrations, diffSql, MIGRATION_LOCK_FILE, migrationLockContent, migrationsDirFor, readMigrationList } from "../server/db/migrate";
import { ensureSqliteDir } from "../server/db/sqlite-path";
import { BASE_SCHEMA_PATH, PROVIDERS, readBaseModels, renderSchema, writeSchemas } from "../../prisma/render";

export const SNAPSHOT_PATH = path.join(path.dirname(BASE_SCHEMA_PATH), "schema.migrated.prisma");
const SNAPSHOT_HEADER = "// WRITTEN by `npm run db:migration`: the models as of the newest migration. Do not edit.\n";

function readSnapshot(): string | null {
  if (!existsSync(SNAPSHOT_PATH)) return null;
  return readFileSync(SNAPSHOT_PATH, "utf8").replace(SNAPSHOT_HEADER, "");
}

function migrationNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** `Add labels index!` -> `add_labels_index` */
function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!s) throw new Error("migration name must contain letters or digits");
  return s;
}

export async function createMigration(name: string): Promise<{ written: string[] } | null> {
  const current = readBaseModels();
  writeSchemas(current);
  const snapshot = readSnapshot();
  const existing = migrationNames(migrationsDirFor("sqlite"));
  const existingPg = migrationNames(migrationsDirFor("postgresql"));
  if (existing.join() !== existingPg.join()) {
    throw new Error(`the two migration histories differ: sqlite [${existing}] vs postgresql [${existingPg}]`);
  }
  if (existing.length > 0 && snapshot === null) {
    throw new Error(`${SNAPSHOT_PATH} is missing but migrations exist: restore it from git`);
  }

  if (snapshot !== null) {
    const drift = await diffSql(
      { offline: "sqlite" },
      { tag: "migrations", list: readMigrationList("sqlite") },
      { tag: "schema", content: renderSchema("sqlite", snapshot) },
    );
    if (drift) {
      throw new Error(
        "the committed SQLite migrations do not produce prisma/schema.migrated.prisma " +
          "(was a migration or the snapshot edited by hand?). Difference:\n" +
          drift,
      );
    }
  }

  const sqlByProvider = new Map<string, string>();
  for (const provider of PROVIDERS) {
    const from = snapshot === null ? ({ tag: "empty" } as const) : ({ tag: "schema", content: renderSchema(provider, snapshot) } as const);
    const sql = await diffSql({ offline: provider }, from, { tag: "schema", content: renderSchema(provider, current) });
    sqlByProvider.set(provider, sql);
  }
  if ([...sqlByProvider.values()].every((sql) => sql === "")) return null;

  const next = String(existing.length + 1).padStart(4, "0");
  const folder = `${next}_${slug(name)}`;
  const written: string[] = [];
  for (const provider of PROVIDERS) {
    const dir = migrationsDirFor(provider);
    mkdirSync(path.join(dir, folder), { recursive: true });
    const lockPath = path.join(dir, MIGRATION_LOCK_FILE);
    if (!existsSync(lockPath)) writeFileSync(lockPath, migrationLockContent(provider));
    const file = path.join(dir, folder, "migration.sql");
    writeFileSync(file, sqlByProvider.get(provider) || "-- This is an empty migration.\n");
    written.push(path.relative(process.cwd(), file));
  }
  writeFileSync(SNAPSHOT_PATH, SNAPSHOT_HEADER + current);
  written.push(path.relative(process.cwd(), SNAPSHOT_PATH));
  return { written };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "migrate") {
    const url = getConfig().DATABASE_URL;
    if (url.startsWith("file:")) ensureSqliteDir(url);
    const { applied } = await applyMigrations(url);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s) to ${redactUrl(url)}: ${applied.join(", ")}`
        : `${redactUrl(url)} is up to date: no migration to apply.`,
    );
  } else if (command === "migration") {
    const name = rest.filter((a) => !a.startsWith("-")).join(" ");
    if (!name) throw new Error("usage: npm run db:migration -- NAME");
    const result = await createMigration(name);
    if (!result) {
      console.log("No change in prisma/schema.base.prisma since the last migration: nothing written.");
    } else {
      console.log(`Wrote:\n  ${result.written.join("\n  ")}`);
      console.log("Review the SQL, then `npm run db:migrate` (the app also applies it on start).");
    }
  } else {
    throw new Error("usage: tsx lib/cli/migrate.ts migrate | migration NAME");
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
