// Databases made for one test suite or benchmark run and dropped after it: a SQLite file in a temp folder,
// or a new database on a PostgreSQL server (e.g. the one scripts/pg-test.sh starts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type ThrowawayDatabase = { url: string; drop: () => Promise<void> };

export function throwawaySqlite(prefix: string): ThrowawayDatabase {
  const dir = mkdtempSync(path.join(os.tmpdir(), `oprl-${prefix}-`));
  return { url: `file:${path.join(dir, `${prefix}.db`)}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function throwawayPostgres(adminUrl: string, prefix: string): Promise<ThrowawayDatabase> {
  const name = `oprl_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
