// The server's first database use (instrumentation.ts): open and migrate, or stop the process. A database that
// cannot be opened (a corrupt or foreign file, a server that refuses) must not leave a server that says "Ready"
// and then answers 500 to every request: exit non-zero with a message that names the database.
import "server-only";
import { getConfig, redactUrl } from "../../config";
import { getDb, type Db } from "./client";

export async function openDbOrExit(): Promise<Db> {
  try {
    return await getDb();
  } catch (err) {
    let url = "DATABASE_URL";
    try {
      url = redactUrl(getConfig().DATABASE_URL);
    } catch {
      // the config itself is what is wrong: the message says so
    }
    console.error(`[db] cannot open the database ${url}: ${(err as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}
