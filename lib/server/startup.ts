// What a web server (or a worker) does before it serves: migrate, load the session secret, make sure an admin
// exists. Every step is safe when several instances start on one database at once (migrations take the
// engine's lock; the admin insert tolerates losing the race), and a step that fails ends the process with a
// message: an instance that cannot start must not stay up answering 500s.
import "server-only";
import { redactUrl, getConfig } from "../config";
import { getDb, type Db } from "./db/client";
import { sessionSecret } from "./auth/session";
import { ensureAdmin } from "./auth/users";

export async function startUp(log: (line: string) => void = console.log): Promise<Db> {
  const db = await getDb();
  sessionSecret();
  await ensureAdmin(db, log);
  return db;
}

/** startUp(), or exit 1 with one line saying which database and why (Next would otherwise keep serving). */
export async function startUpOrExit(): Promise<Db> {
  try {
    return await startUp();
  } catch (err) {
    let where = "";
    try {
      where = ` (database ${redactUrl(getConfig().DATABASE_URL)})`;
    } catch {
      // The configuration itself is what failed; its message says so.
    }
    console.error(`[start-up] cannot start${where}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
