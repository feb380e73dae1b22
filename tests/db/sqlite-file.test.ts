// The check an SQLite file gets before the app opens it: a file that is not SQLite, or whose pages are damaged, is
// refused with the file's name; the full page check is skipped above a size (it reads the whole file at every start).
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { checkSqliteFile } from "@/lib/server/db/sqlite-path";

const dir = mkdtempSync(path.join(tmpdir(), "oprl-sqlite-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid database of a few hundred pages, then garbage written over pages in its middle (not the schema page). */
function damagedInTheMiddle(): string {
  const file = path.join(dir, `damaged-${Math.random().toString(36).slice(2)}.db`);
  const db = new Database(file);
  db.pragma("page_size = 4096");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX t_body ON t (body)");
  const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(`row ${i} ${"x".repeat(200)}`);
  })();
  db.close();
  const fd = openSync(file, "r+");
  writeSync(fd, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, 4096 * 100);
  closeSync(fd);
  return file;
}

describe("checkSqliteFile", () => {
  it("refuses a file that is not SQLite, naming it", async () => {
    const file = path.join(dir, "not-sqlite.db");
    writeFileSync(file, Buffer.concat([Buffer.from("this is not SQLite\n"), Buffer.alloc(4096, 1)]));
    await expect(checkSqliteFile(`file:${file}`)).rejects.toThrow(file);
  });

  it("finds damaged pages with the full check, and skips that check above the size limit", async () => {
    const file = damagedInTheMiddle();
    await expect(checkSqliteFile(`file:${file}`)).rejects.toThrow(/damaged/);
    await expect(checkSqliteFile(`file:${file}`, 0)).resolves.toBeUndefined();
  });

  it("passes a healthy file and a missing one", async () => {
    const file = path.join(dir, "healthy.db");
    new Database(file).exec("CREATE TABLE a (x)");
    await expect(checkSqliteFile(`file:${file}`)).resolves.toBeUndefined();
    await expect(checkSqliteFile(`file:${path.join(dir, "missing.db")}`)).resolves.toBeUndefined();
  });
});
