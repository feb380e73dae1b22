// Runs once when the web server starts (`next start` / `next dev`): applies the database migrations, makes sure
// there is an admin (or prints the setup link), then starts the training worker as a child process so training
// never blocks a request. OPRL_WORKER=off leaves the worker to a separately run `npm run worker`.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { guardNodeServer } = await import("./lib/server/http/node-guard");
  guardNodeServer();
  // Migrate here, before the worker exists, so two processes never migrate the same SQLite file at once. A
  // database that cannot be opened (a corrupt file, a server that refuses) stops the server here, with a message
  // naming it, rather than serving 500s.
  const { openDbOrExit } = await import("./lib/server/db/startup");
  const db = await openDbOrExit();
  // Sessions need their secret (SESSION_SECRET, or generated into ./data), and the app an admin: made from
  // ADMIN_PASSWORD, or a one-time setup link printed here.
  const [{ sessionSecret }, { ensureAdmin }] = await Promise.all([import("./lib/server/auth/session"), import("./lib/server/auth/users")]);
  sessionSecret();
  await ensureAdmin(db);
  if (process.env.OPRL_WORKER === "off") return;
  const { startWorkerProcess } = await import("./lib/server/training/worker-process");
  startWorkerProcess();
}
