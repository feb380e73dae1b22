// Accounts in the database, on SQLite and PostgreSQL: throttles shared by every app instance (two clients on one
// database stand for two instances), counted atomically under concurrency; session rows; and migration 0005's
// lower-casing of names, with case duplicates kept apart rather than merged.
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "@/lib/server/db/client";
import { applyMigrations, migrationsDirFor } from "@/lib/server/db/migrate";
import { sqliteFilePath } from "@/lib/server/db/sqlite-path";
import { ACCOUNT_POLICY, ADDRESS_POLICY, assertNotThrottled, clearThrottle, recordFailure, throttleKeys } from "@/lib/server/auth/throttle";
import { addressBlockedMs, clearAddressBlocks } from "@/lib/server/auth/address-blocks";
import { createSession, endSessions, unsealSession } from "@/lib/server/auth/session";
import { userForSession } from "@/lib/server/auth/guard";
import { insertUser } from "@/lib/server/auth/users";
import { isAppError } from "@/lib/server/errors";
import { BACKENDS, freshDb, uniqueName } from "./backends";

process.env.SESSION_SECRET ??= "db-tests-session-secret-0123456789abcdef";

describe.each(BACKENDS)("accounts on $name", (backend) => {
  let db: Db;
  let second: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshDb(backend);
    db = fresh.db;
    close = fresh.close;
    second = await openDb(fresh.url, { migrate: false });
  });
  afterAll(async () => {
    await second.$disconnect();
    await close();
  });

  it("a throttle counted by one instance blocks the other; concurrent failures all count", async () => {
    const key = `signin:${uniqueName("t")}|203.0.113.5`;
    await Promise.all(Array.from({ length: 12 }, (_, i) => recordFailure(i % 2 ? db : second, key, ACCOUNT_POLICY)));
    expect((await db.authThrottle.findUniqueOrThrow({ where: { key } })).failures).toBe(12);
    const refused = await assertNotThrottled(second, [key]).catch((e) => e);
    expect(isAppError(refused, "RATE_LIMITED")).toBe(true);
    await clearThrottle(db, key);
    await expect(assertNotThrottled(second, [key])).resolves.toBeUndefined();
  });

  it("an address's wait is copied for the node guard (by the instance that counted it, and by one that only read it); an account's is not", async () => {
    clearAddressBlocks();
    const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    for (let i = 0; i < ADDRESS_POLICY.free - 1; i++) await recordFailure(db, throttleKeys.inviteAddress(address), ADDRESS_POLICY);
    expect(addressBlockedMs("invite", address)).toBe(0);
    await recordFailure(db, throttleKeys.inviteAddress(address), ADDRESS_POLICY);
    const wait = addressBlockedMs("invite", address);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(ADDRESS_POLICY.firstDelayMs);
    expect(addressBlockedMs("sign-in", address)).toBe(0);
    // Another instance learns it from the database on its next check (this test process stands for both).
    clearAddressBlocks();
    expect(isAppError(await assertNotThrottled(second, [throttleKeys.inviteAddress(address)]).catch((e) => e), "RATE_LIMITED")).toBe(true);
    expect(addressBlockedMs("invite", address)).toBeGreaterThan(0);
    // An account + address key names an account: never refused by address alone.
    clearAddressBlocks();
    const accountKey = throttleKeys.signIn(uniqueName("acct"), address);
    for (let i = 0; i < ACCOUNT_POLICY.free + 1; i++) await recordFailure(db, accountKey, ACCOUNT_POLICY);
    await assertNotThrottled(db, [accountKey]).catch(() => {});
    expect(addressBlockedMs("sign-in", address)).toBe(0);
  });

  it("a streak quiet for an hour starts again from one", async () => {
    const key = `password:${uniqueName("q")}`;
    const then = new Date(Date.now() - 2 * 3600_000);
    for (let i = 0; i < 7; i++) await recordFailure(db, key, ACCOUNT_POLICY, then);
    expect(await recordFailure(db, key, ACCOUNT_POLICY)).toBe(1);
  });

  it("a session is one row: found by id, ended by deleting it, gone with its account's sessions", async () => {
    const user = await insertUser(db, { name: uniqueName("S-User"), role: "labeler" });
    expect(user.name).toBe(user.name.toLowerCase());
    const a = (await unsealSession(await createSession(db, user.id)))!;
    const b = (await unsealSession(await createSession(second, user.id)))!;
    expect(await userForSession(second, a)).toMatchObject({ id: user.id });
    await endSessions(db, user.id, b.sid);
    expect(await userForSession(second, a)).toBeNull();
    expect(await userForSession(second, b)).toMatchObject({ id: user.id });
    await endSessions(db, user.id);
    expect(await userForSession(db, b)).toBeNull();
  });
});

describe.each(BACKENDS)("migration 0005 on $name", (backend) => {
  it("lower-cases and trims names; of names equal but for case, the oldest keeps it and the others get a suffix", async () => {
    const kind = backend.name;
    const all = migrationsDirFor(kind);
    const before = mkdtempSync(path.join(tmpdir(), "oprl-mig-"));
    for (const name of readdirSync(all)) if (!/^\d{4}/.test(name) || name < "0005") cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const database = await backend.create();
    try {
      await applyMigrations(database.url, { migrationsDir: before });
      const exec = await sqlRunner(kind, database.url);
      try {
        const rows: Array<[string, string, string]> = [
          ["u-000001", "Admin", "2026-01-01 00:00:00"],
          ["u-000002", "admin", "2026-01-02 00:00:00"],
          ["u-000003", " admin", "2026-01-03 00:00:00"],
          ["u-000004", "Lab1", "2026-01-01 00:00:00"],
          ["u-000005", "plain", "2026-01-01 00:00:00"],
        ];
        for (const [id, name, at] of rows) await exec(`INSERT INTO "User" ("id", "name", "role", "createdAt") VALUES ('${id}', '${name}', 'labeler', '${at}')`);
      } finally {
        await exec.close();
      }
      expect((await applyMigrations(database.url)).applied).toContain("0005_auth_sessions");
      const read = await sqlRunner(kind, database.url);
      try {
        expect(await read(`SELECT "id", "name" FROM "User" ORDER BY "id"`)).toEqual([
          { id: "u-000001", name: "admin" },
          { id: "u-000002", name: "admin-000002" },
          { id: "u-000003", name: "admin-000003" },
          { id: "u-000004", name: "lab1" },
          { id: "u-000005", name: "plain" },
        ]);
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
