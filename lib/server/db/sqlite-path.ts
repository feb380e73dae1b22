// SQLite URLs are `file:<path>`, the path relative to the working directory (as Prisma reads them).
import "server-only";
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";

/** `file:./data/oprl.db` -> `./data/oprl.db` (query string, if any, dropped). */
export function sqliteFilePath(url: string): string {
  const withoutScheme = url.replace(/^file:/, "");
  const q = withoutScheme.indexOf("?");
  return q === -1 ? withoutScheme : withoutScheme.slice(0, q);
}

/** Creates the folder that will hold the database file, so a fresh checkout just works. */
export function ensureSqliteDir(url: string): void {
  const file = sqliteFilePath(url);
  if (file === ":memory:" || file === "") return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}

/** A database file that cannot be used as it is (corrupt, not SQLite): the server must not start on it. */
export class DatabaseFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${path.resolve(file)}: ${reason}`);
    this.name = "DatabaseFileError";
  }
}

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Files up to this size get SQLite's quick_check at every open; it reads the whole file (0.6 s for 12 MB on a busy
 * 2-core machine), which a restart under load cannot afford on a big database.
 */
export const FULL_CHECK_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Checks an existing SQLite file before anything uses it: its header, then that SQLite can read its schema and,
 * for a file up to `fullCheckMaxBytes`, that a quick check finds no damage. A bad file is a DatabaseFileError
 * naming it (a missing or empty file is fine: migrations create it).
 */
export async function checkSqliteFile(url: string, fullCheckMaxBytes = FULL_CHECK_MAX_BYTES): Promise<void> {
  const file = sqliteFilePath(url);
  if (file === ":memory:" || file === "" || !existsSync(file) || statSync(file).size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw new DatabaseFileError(file, "not a SQLite database (bad file header): restore it from a backup or move it away");
  const { default: Database } = await import("better-sqlite3");
  let db: InstanceType<typeof Database> | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma("schema_version");
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    if (statSync(file).size <= fullCheckMaxBytes) {
      const rows = db.pragma("quick_check(1)") as { quick_check: string }[];
      if (rows[0]?.quick_check !== "ok") throw new Error(rows[0]?.quick_check ?? "quick_check failed");
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Busy: another process is writing it; not damage.
    if (code === "SQLITE_BUSY") return;
    throw new DatabaseFileError(file, `the database is damaged (${code ?? (err as Error).message}): restore it from a backup or move it away`);
  } finally {
    db?.close();
  }
}
