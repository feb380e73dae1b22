// Entry point of the training worker process: `npm run worker`, or spawned by instrumentation.ts beside `next start`.
import { getConfig } from "../config";
import { getDb, openDb, type Db } from "./db";
import { TrainingWorker } from "./worker";

/**
 * Spawned by the web server, which has already applied the migrations: open the database without checking
 * them again, since the check takes a write lock that can time out while the server is busy writing.
 */
async function connect(): Promise<Db> {
  if (process.env.OPRL_DB_MIGRATED === "1") return openDb(getConfig().DATABASE_URL, { migrate: false });
  return getDb();
}

async function main() {
  const db = await connect();
  const worker = new TrainingWorker(db);
  const stop = (why: string) => {
    console.log(`[worker] ${why}: stopping after the current flush`);
    worker.stop();
    // A round in a long synchronous step still gets out: it resumes from its last checkpoint.
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Spawned by the web server with an IPC channel: go when the server goes.
  process.on("disconnect", () => stop("web server gone"));
  await worker.loop();
  await db.$disconnect();
  process.exit(0);
}

main().catch((err) => {
  console.error("[worker] fatal:", err);
  process.exit(1);
});
