// Entry point of the training worker process: `npm run worker`, or spawned by instrumentation.ts beside `next start`.
import { getConfig } from "../config";
import { getDb } from "../server/db/client";
import { TrainingWorker } from "../server/training/worker";
import { lowerGroupPriority, lowerPriority } from "./priority";

async function main() {
  const nice = getConfig().WORKER_NICE;
  lowerPriority(nice);
  lowerGroupPriority(nice);
  // Start-up finds the migrations applied (the server ran them) with a plain read: no schema-engine lock.
  const db = await getDb();
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
