// Runs once when the web server starts (`next start` / `next dev`): start-up (migrations, session secret, first
// admin or its setup link; see lib/server/startup.ts, which exits the process if a step fails), then the training
// worker as a child process so training never blocks a request. OPRL_WORKER=off leaves the worker to a
// separately run `npm run worker`. Then the warm start (lib/server/warm.ts, lib/server/warm-http.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // Without the peer-address hook a client could pick its own address for the sign-in throttles: refuse to run.
  const { peerAddressHookInstalled } = await import("./lib/server/auth/client-address");
  if (!peerAddressHookInstalled()) {
    console.error(
      "[auth] the web server must be started with `npm start` (node --require ./lib/server/http/peer-address.cjs node_modules/next/dist/bin/next start): " +
        "without that hook client addresses cannot be trusted. Exiting.",
    );
    process.exit(1);
  }
  const { guardNodeServer } = await import("./lib/server/http/node-guard");
  guardNodeServer();
  // Migrate here, before the worker exists, so two processes never migrate the same SQLite file at once. A
  // database that cannot be opened (a corrupt file, a server that refuses) stops the server with a message naming it.
  const { startUpOrExit } = await import("./lib/server/startup");
  const db = await startUpOrExit();
  // Requests wait for register(): warm what the first ones need, so a restarted instance is not slow under load.
  const [{ warmUp }, { getConfig }] = await Promise.all([import("./lib/server/warm"), import("./lib/config")]);
  await warmUp(db, { connections: getConfig().databaseKind === "postgresql" ? getConfig().DATABASE_POOL_SIZE : 1 });
  if (process.env.OPRL_WORKER !== "off") {
    const { startWorkerProcess } = await import("./lib/server/training/worker-process");
    startWorkerProcess();
  }
  // Not awaited: its requests to this server are answered once register() returns. GET /api/health/ready answers 503
  // until it is done, so a load balancer sends people only to a warm instance.
  const { startHttpWarmUp } = await import("./lib/server/warm-http");
  void startHttpWarmUp();
}
