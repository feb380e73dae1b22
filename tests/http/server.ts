// The built app on a throwaway SQLite file, signed in as each role, for the tests in this folder.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild, freePort, startServer, type AppServer } from "../../scripts/app-server";

export const ADMIN_PASSWORD = "http-suite-admin-pass";
export const ENV = {
  ADMIN_PASSWORD,
  SESSION_SECRET: "http-suite-session-secret-0123456789abcdef",
  PASSWORD_HASH_COST: "4",
  // No training worker: nothing writes behind the requests' backs, so a refused request's writes can be seen.
  OPRL_WORKER: "off",
};

export interface Running {
  server: AppServer;
  dbFile: string;
  dir: string;
  close(): Promise<void>;
}

/** The built app on a new SQLite file, once ready (or only live: serving, maybe still warming). */
export async function runBuilt(env: Record<string, string> = {}, waitFor: "ready" | "live" = "ready"): Promise<Running> {
  ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), "oprl-http-"));
  const dbFile = path.join(dir, "app.db");
  const server = await startServer({ port: await freePort(), databaseUrl: `file:${dbFile}`, env: { ...ENV, ...env }, waitFor });
  return {
    server,
    dbFile,
    dir,
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST/PUT/... as the app's own pages send it: JSON, the app's Origin, a session cookie. */
export async function call(base: string, method: string, url: string, opts: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    redirect: "manual",
    headers: { "content-type": "application/json", origin: base, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // a page or plain text
  }
  return { status: res.status, headers: res.headers, text, json };
}
