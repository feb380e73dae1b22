// SQLite URLs are `file:<path>`, the path relative to the working directory (as Prisma reads them).
import "server-only";
import { mkdirSync } from "node:fs";
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
