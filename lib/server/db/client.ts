// The database convention: every domain function takes the database (a Db, or a transaction's
// Tx where it accepts DbOrTx) as its first parameter and never looks it up itself. Only entry
// points call getDb(): the route wrapper (lib/server/http/route.ts), server pages (through
// lib/server/auth/page.ts), instrumentation.ts, and CLI entry points and scripts.
//
// The client: SQLite (default, file:./data/oprl.db) or PostgreSQL, chosen by DATABASE_URL. One
// client per process, kept on globalThis so Next's hot reload reuses it, and the committed
// migrations are applied before the first query (once per process).
//
//   In an entry point:       const db = await getDb();
//   For an explicit URL:     const db = await openDb(url); ... await db.$disconnect();
//
// Inside `db.$transaction(async (tx) => ...)` use `tx` only: on SQLite every statement waits
// for the open transaction (one connection, see sqlite-serialized.ts), so a query on `db`
// there would wait for its own transaction until the transaction times out.
import "server-only";
import { getConfig, databaseKind, redactUrl } from "../../config";
import type { PrismaClient as SqliteClient } from "../../../generated/sqlite/client";
import { checkSqliteFile, ensureSqliteDir, sqliteFilePath } from "./sqlite-path";

/**
 * The client type the data layer is written against. Both generated clients come from the
 * same models, so they have the same API at run time; the PostgreSQL one is typed as this.
 */
export type Db = SqliteClient;
/** The client handed to a `db.$transaction(async (tx) => ...)` callback. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
/** Anything that can run queries: the client or a transaction. */
export type DbOrTx = Db | Tx;

/** Generous transaction limits: on SQLite transactions queue behind one another. */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;

export type OpenDbOptions = {
  /** Apply pending migrations first (default true; once per URL per process). */
  migrate?: boolean;
  /** PostgreSQL pool size (default DATABASE_POOL_SIZE, 10). */
  poolSize?: number;
};

type DbGlobals = {
  client?: Promise<Db>;
  migrations: Map<string, Promise<void>>;
};
const globals = globalThis as typeof globalThis & { __oprlDb?: DbGlobals };
const state: DbGlobals = (globals.__oprlDb ??= { migrations: new Map() });

/**
 * The process-wide client for DATABASE_URL, migrated. Use this in routes and CLI commands;
 * do not disconnect it.
 */
export function getDb(): Promise<Db> {
  if (!state.client) {
    const config = getConfig();
    state.client = openDb(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
    // A failed start (bad URL, server down) must not be cached for the life of the process.
    state.client.catch(() => {
      state.client = undefined;
    });
  }
  return state.client;
}

/** Closes the process-wide client (CLI commands call this before exiting). */
export async function closeDb(): Promise<void> {
  const pending = state.client;
  state.client = undefined;
  if (pending) await (await pending).$disconnect();
}

/**
 * Applies the committed migrations to `url`, once per process: later calls share the first
 * call's promise. A failure is not cached, so the next call tries again.
 */
export function ensureMigrated(url: string): Promise<void> {
  let pending = state.migrations.get(url);
  if (!pending) {
    pending = (async () => {
      // Loaded lazily: the wasm engine is only needed here, once.
      const { applyMigrations, pendingMigrations } = await import("./migrate");
      // On PostgreSQL the engine serialises racing instances with an advisory lock. On SQLite the loser of a
      // race fails to take the file's write lock ("SocketTimeout"): wait and look again, since the winner is
      // applying the same migrations; give up only when they stay pending for a minute.
      const deadline = Date.now() + 60_000;
      for (let attempt = 1; ; attempt++) {
        if ((await pendingMigrations(url)).length === 0) return;
        try {
          const { applied } = await applyMigrations(url);
          if (applied.length > 0 && process.env.NODE_ENV !== "test") {
            console.log(`[db] applied migrations to ${redactUrl(url)}: ${applied.join(", ")}`);
          }
          return;
        } catch (err) {
          if (databaseKind(url) !== "sqlite" || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * attempt) * (0.5 + Math.random())));
        }
      }
    })();
    state.migrations.set(url, pending);
    pending.catch(() => state.migrations.delete(url));
  }
  return pending;
}

/** A new client for an explicit URL (tests, tools). The caller owns it: `$disconnect()` it. */
export async function openDb(url: string, options: OpenDbOptions = {}): Promise<Db> {
  const kind = databaseKind(url);
  if (kind === "sqlite") {
    ensureSqliteDir(url);
    await checkSqliteFile(url);
  }
  if (options.migrate !== false) await ensureMigrated(url);
  return kind === "sqlite" ? openSqlite(url) : openPostgres(url, options.poolSize ?? getPoolSizeDefault());
}

function busyTimeoutMs(): number {
  try {
    return getConfig().SQLITE_BUSY_TIMEOUT_MS;
  } catch {
    return 3000;
  }
}

function getPoolSizeDefault(): number {
  try {
    return getConfig().DATABASE_POOL_SIZE;
  } catch {
    return 10;
  }
}

async function openSqlite(url: string): Promise<Db> {
  const [{ PrismaClient }, { PrismaBetterSqlite3 }, { serialisedSqliteFactory }] = await Promise.all([
    import("../../../generated/sqlite/client"),
    import("@prisma/adapter-better-sqlite3"),
    import("./sqlite-serialized"),
  ]);
  // `timeout` is better-sqlite3's busy timeout: how long to wait for another process's write lock (SQLite
  // retries with backoff meanwhile); then the statement fails, and the API answers 503 after its own retries.
  const busyMs = busyTimeoutMs();
  const adapter = serialisedSqliteFactory(new PrismaBetterSqlite3({ url: sqliteFilePath(url), timeout: busyMs }));
  const client = new PrismaClient({ adapter });
  // WAL lets readers (the web app) run while another process (the trainer) writes; it is
  // stored in the file. NORMAL sync is safe with WAL (a crash can lose the last commits,
  // never corrupt). The other settings are per connection.
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$queryRawUnsafe(`PRAGMA busy_timeout = ${busyMs}`);
  await client.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  await client.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  return client;
}

async function openPostgres(url: string, poolSize: number): Promise<Db> {
  const [{ PrismaClient }, { PrismaPg }, pg] = await Promise.all([import("../../../generated/postgresql/client"), import("@prisma/adapter-pg"), import("pg")]);
  const pool = new pg.default.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // The adapter ends a pool it was given only when told to: tie the pool to $disconnect.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return client as unknown as Db;
}
