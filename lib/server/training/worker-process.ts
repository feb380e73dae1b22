// Spawns lib/cli/worker.ts as a child of the web server, once per server process, restarting it if it
// dies (its rounds resume from their checkpoints) and ending it with the server.
import "server-only";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const state = globalThis as typeof globalThis & { __oprlWorker?: ChildProcess | "starting" };

export function startWorkerProcess(): void {
  if (state.__oprlWorker) return;
  state.__oprlWorker = "starting";
  let restarts = 0;
  const start = () => {
    const entry = path.join(process.cwd(), "lib", "cli", "worker.ts");
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", entry], {
      cwd: process.cwd(),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    state.__oprlWorker = child;
    child.on("exit", (code, signal) => {
      if (shuttingDown) return;
      console.error(`[worker] exited (${signal ?? code}); restarting`);
      if (++restarts <= 5) setTimeout(start, 1000 * restarts);
    });
  };
  let shuttingDown = false;
  const stop = () => {
    shuttingDown = true;
    const child = state.__oprlWorker;
    if (child && child !== "starting" && child.exitCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stop);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      stop();
      process.exit(0);
    });
  }
  start();
}
