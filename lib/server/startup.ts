// What a web server does before it serves: open and migrate the database, load the session secret, make sure an
// admin exists. Every step is safe when several instances start on one database at once (migrations take the
// engine's lock or wait for the instance that has it; the admin insert tolerates losing the race), and a step
// that fails ends the process with a message: an instance that cannot start must not stay up answering 500s.
import "server-only";
import type { Db } from "./db/client";
import { openDbOrExit } from "./db/startup";
import { sessionSecret } from "./auth/session";
import { ensureAdmin } from "./auth/users";

export async function startUpOrExit(log: (line: string) => void = console.log): Promise<Db> {
  const db = await openDbOrExit();
  try {
    sessionSecret();
    await ensureAdmin(db, log);
    return db;
  } catch (err) {
    console.error(`[start-up] cannot start: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    process.exit(1);
  }
}
