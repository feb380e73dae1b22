// A warm start (README "Running several instances"): before an instance serves its first request, load what those
// requests would otherwise load while people wait. Next loads a route's compiled module on its first request (or in
// the background once start-up is over, competing with the first requests); on a busy machine that made a restarted
// instance take seconds per request. Run from instrumentation.ts after start-up: Next holds every request until
// register() returns, so nothing is served cold. Best effort: a failure here is logged, never fatal.
import "server-only";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import type { Db } from "./db/client";
import { userFromSessionCookie } from "./auth/guard";
import { sealSession } from "./auth/session";
import { warmLabelPath } from "./labelling/labelling";

/**
 * Requires every app entry (routes and pages) listed in the build's app-paths manifest, so Next's own
 * later require of the same file is a cache hit. Returns how many loaded; 0 without a production build (next dev
 * compiles on demand).
 */
export function preloadAppEntries(distDir = path.join(process.cwd(), ".next")): { loaded: number; failed: string[] } {
  const manifestFile = path.join(distDir, "server", "app-paths-manifest.json");
  if (process.env.NODE_ENV !== "production" || !existsSync(manifestFile)) return { loaded: 0, failed: [] };
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, string>;
  // Node's own require (not the bundler's): the same module cache Next's server uses.
  const nodeRequire = process.getBuiltinModule("node:module").createRequire(path.join(distDir, "server", "noop.js"));
  const failed: string[] = [];
  let loaded = 0;
  const files = [...new Set(Object.values(manifest))].filter((f) => existsSync(path.join(distDir, "server", f)));
  for (const file of files) {
    try {
      nodeRequire(path.join(distDir, "server", file));
      loaded++;
    } catch (err) {
      failed.push(`${file}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return { loaded, failed };
}

/**
 * Opens the database pool's connections (PostgreSQL; SQLite has one, already open) with a cheap query on each, so
 * the first burst of requests does not wait for connections to be made.
 */
export async function openPool(db: Db, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => db.$queryRaw`SELECT 1`));
}

/**
 * Runs the check every signed-in request makes (unseal the cookie, read the session row and its account) once, for a
 * session that does not exist: the cookie crypto and the query's compiled plan are ready before the first request.
 */
export async function warmSessionCheck(db: Db): Promise<void> {
  await userFromSessionCookie(db, await sealSession({ sid: randomBytes(32).toString("base64url") }));
}

/** How many times the warm-up runs the session check and the label path's statements, within a time budget. */
const WARM_PASSES = 40;
const WARM_PASSES_MAX_MS = 1500;

export async function warmUp(db: Db, opts: { connections: number; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? console.log;
  const t0 = performance.now();
  try {
    await openPool(db, opts.connections);
    // Repeated: the first pass compiles the statements' plans; the next ones let V8 optimise the code every request
    // runs (the session check, Prisma's execution, the driver), which a cold process runs several times slower.
    // In as many lanes as the pool has connections, so each connection (on PostgreSQL, a server process of its own,
    // with its own caches of the tables' and indexes' definitions) has run the label path before a burst uses them all.
    let passes = 0;
    const until = performance.now() + WARM_PASSES_MAX_MS;
    const lane = async () => {
      do {
        passes++;
        await warmSessionCheck(db);
        await warmLabelPath(db);
      } while (passes < WARM_PASSES && performance.now() < until);
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.connections) }, lane));
    const { loaded, failed } = preloadAppEntries();
    for (const f of failed) console.warn(`[warm] could not preload ${f}`);
    log(
      `[warm] ${loaded} routes and pages loaded, ${opts.connections} database connection(s) open, session check and label path run ${passes} times, in ${Math.round(performance.now() - t0)} ms`,
    );
  } catch (err) {
    console.warn(`[warm] warming up failed (the server starts cold): ${(err as Error).message.split("\n")[0]}`);
  }
}
