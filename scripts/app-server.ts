// The built app as a separate process, for the crash test and the load test: build it when the build is missing
// or older than the sources, start `next start` (with its worker) on loopback in its own process group, wait for its
// readiness probe, sign in.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { childrenOf } from "./load/proc-cpu";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
/** Preloaded as `npm start` does: appends the TCP peer to X-Forwarded-For (the server refuses to start without it). */
export const PEER_HOOK = path.join(ROOT, "lib", "server", "http", "peer-address.cjs");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(tsx?|css|js|mjs|prisma|sql)$/.test(entry.name)) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Runs `next build` unless .next holds a build newer than app/, lib/ and the config. */
export function ensureBuild(log: (line: string) => void = console.log): void {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const sources = Math.max(
    newestMtime(path.join(ROOT, "app")),
    newestMtime(path.join(ROOT, "lib")),
    ...["next.config.js", "instrumentation.ts", "package-lock.json"].map((f) => statSync(path.join(ROOT, f)).mtimeMs),
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) {
    log("[app] reusing the build in .next");
    return;
  }
  log("[app] building (next build)…");
  execFileSync(process.execPath, [NEXT_BIN, "build"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface AppServer {
  base: string;
  pid: number;
  logs: string[];
  /** SIGKILL to the process group and the worker (a session of its own): the web server and its worker die mid-write, like a crash. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `next start` and waits until it is ready for people: GET /api/health/ready answers 200 (after its warm-up),
 * or with `waitFor: "live"` only until GET /api/health answers (it serves, maybe still warming).
 */
export async function startServer(opts: { port: number; databaseUrl: string; env?: Record<string, string>; waitFor?: "ready" | "live" }): Promise<AppServer> {
  const logs: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ["--require", PEER_HOOK, NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(opts.port)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", DATABASE_URL: opts.databaseUrl, ...opts.env },
  });
  child.stdout!.on("data", (d) => logs.push(...String(d).split("\n").filter(Boolean)));
  child.stderr!.on("data", (d) => logs.push(...String(d).split("\n").filter(Boolean)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const base = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${logs.join("\n")}`);
    try {
      if ((await fetch(`${base}${opts.waitFor === "live" ? "/api/health" : "/api/health/ready"}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not start in 60 s:\n${logs.join("\n")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The server's process group, and its training worker, which runs in a session of its own (worker-process.ts).
  const group = (signal: NodeJS.Signals) => {
    for (const pid of [...childrenOf(child.pid!), -child.pid!]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  return {
    base,
    pid: child.pid!,
    logs,
    crash: async () => {
      group("SIGKILL");
      await exited;
    },
    stop: async () => {
      group("SIGTERM");
      const timer = setTimeout(() => group("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signs in through the API; returns the Cookie header value for later requests. */
export async function signIn(base: string, name: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/sign-in`, {
    method: "POST",
    // State changes must name the app's own origin, as browsers do (README "Security").
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ name, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${name}: ${res.status} ${await res.text()}`);
  return res.headers.get("set-cookie")!.split(";")[0];
}

export async function api<T = any>(base: string, cookie: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { cookie, "content-type": "application/json", origin: base },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
