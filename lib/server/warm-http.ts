// The HTTP half of a warm start (README "Running several instances"). lib/server/warm.ts warms what register() can
// reach (modules, connections, the label path's statements); what only a real request runs stays cold: Next's
// routing and proxy, the route wrapper, zod, building answers, rendering pages. So once Next serves, the instance
// sends itself what the first labellers send, over loopback, with a session that does not exist (so every API call
// stops at 401 and pages at their sign-in redirect: nothing is written), plus GET /api/health/warm (the label
// screen's reads on real rows, with a token only this process knows), a few dozen times, and only then reports
// ready on GET /api/health/ready. Best effort and capped in time: it never stops the instance from serving or
// becoming ready.
import "server-only";
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { getConfig } from "../config";
import { SESSION_COOKIE, sealSession } from "./auth/session";
import { WARM_TOKEN_HEADER } from "../contracts/health";
import { markReady, warmToken } from "./readiness";

/**
 * Where this process serves, from `next start`'s own settings: Next writes the port it bound to PORT before it runs
 * register() (its `-p` wins over an inherited PORT); `-p`/`--port` in argv is the fallback. The host is `-H` when it
 * names one address, else loopback (the default 0.0.0.0 / :: accepts loopback). Null when the port cannot be known.
 */
export function selfBase(env: Record<string, string | undefined> = process.env, argv: readonly string[] = process.argv): string | null {
  const flag = (short: string, long: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === short || a === long) return argv[i + 1];
      if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
      if (a.startsWith(short) && a.length > short.length && !a.startsWith("--")) return a.slice(short.length);
    }
    return undefined;
  };
  const port = [env.PORT, flag("-p", "--port")].map((p) => (p && /^\d{1,5}$/.test(p.trim()) ? Number(p) : NaN)).find((p) => p > 0 && p < 65536);
  if (port === undefined) return null;
  const host = flag("-H", "--hostname");
  const any = !host || host === "0.0.0.0" || host === "::" || host === "[::]";
  const name = any ? "127.0.0.1" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

const WARM_PATH = "/api/health/warm";

interface WarmRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a labeller's first minute sends (the label page, its API calls, sign-in), and what a researcher opens first. */
function firstRequests(): WarmRequest[] {
  // An id of the right form that names nothing (a 401 comes before any lookup).
  const pairId = randomUUID();
  return [
    // The liveness probe, not readiness (whose 503 now would only be noise in the log): the same public wrapper.
    { method: "GET", path: "/api/health" },
    // What the 401s leave cold: the label path and the label screen's reads on real rows, in the routes' copy of the code.
    { method: "GET", path: WARM_PATH, headers: { [WARM_TOKEN_HEADER]: warmToken() } },
    { method: "POST", path: "/api/label/next", body: { experimentId: "demo" } },
    { method: "POST", path: `/api/pairs/${pairId}/label`, body: { labelId: randomUUID(), choice: "left", responseMs: 1500 } },
    { method: "GET", path: "/api/label/targets" },
    { method: "GET", path: "/api/label/queue?experiment=demo" },
    { method: "GET", path: "/api/me" },
    { method: "GET", path: "/api/experiments" },
    { method: "GET", path: "/label" },
    { method: "GET", path: "/experiments" },
    { method: "GET", path: "/sign-in" },
    { method: "GET", path: "/" },
  ];
}

function send(agent: http.Agent, base: string, r: WarmRequest, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(r.path, base),
      {
        method: r.method,
        agent,
        timeout: timeoutMs,
        headers: { ...headers, ...r.headers, ...(payload ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}) },
      },
      (res) => {
        // Read the whole answer: a page's rendering streams, and the stream is part of what is warmed.
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

export interface HttpWarmResult {
  passes: number;
  requests: number;
  /** Answers by status ("401": 70, ...), and failures ("error": n). */
  statuses: Record<string, number>;
  /** How many of GET /api/health/warm's calls were answered 200 (the reads on real rows ran in the routes' code). */
  rowReads: number;
  ms: number;
}

/**
 * Sends the first requests to `base` again and again, until `passes` passes or `budgetMs` have gone (at least one
 * pass; a pass already started finishes). A request that fails is counted, not thrown; after 3 failed in a row the warm-up stops.
 */
export async function warmHttp(opts: { base: string; budgetMs: number; passes: number; requestTimeoutMs?: number }): Promise<HttpWarmResult> {
  const t0 = performance.now();
  // The app's own Origin: APP_URL's when set (behind a proxy), else this address, as a browser on it would send.
  const origin = getConfig().APP_URL ? new URL(getConfig().APP_URL!).origin : opts.base;
  const cookie = `${SESSION_COOKIE}=${await sealSession({ sid: randomBytes(32).toString("base64url") })}`;
  const headers = { origin, cookie, "user-agent": "oprl-warm-up" };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // The budget counts from the first request: sealing the cookie can take a while on a busy machine.
  const until = performance.now() + opts.budgetMs;
  const statuses: Record<string, number> = {};
  let passes = 0;
  let requests = 0;
  let failedInRow = 0;
  let rowReads = 0;
  try {
    // At least one pass, however busy the machine.
    do {
      for (const r of firstRequests()) {
        requests++;
        try {
          const status = await send(agent, opts.base, r, headers, opts.requestTimeoutMs ?? 5000);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (r.path === WARM_PATH && status === 200) rowReads++;
          failedInRow = 0;
        } catch {
          statuses.error = (statuses.error ?? 0) + 1;
          if (++failedInRow >= 3) break;
        }
      }
      passes++;
    } while (passes < opts.passes && performance.now() < until && failedInRow < 3);
  } finally {
    agent.destroy();
  }
  return { passes, requests, statuses, rowReads, ms: Math.round(performance.now() - t0) };
}

/**
 * Runs the HTTP warm-up in the background (called at the end of register(): its requests are answered once register()
 * has returned and Next serves) and then marks the instance ready, whatever happens: skipped when the port is unknown,
 * in development (pages compile on demand) or with WARM_HTTP_MS=0; cut off after its budget plus 5 s.
 */
export function startHttpWarmUp(log: (line: string) => void = console.log): Promise<void> {
  const { WARM_HTTP_MS, WARM_HTTP_PASSES } = getConfig();
  const base = selfBase();
  const skip =
    WARM_HTTP_MS === 0
      ? "WARM_HTTP_MS=0"
      : process.env.NODE_ENV !== "production"
        ? "not a production server"
        : base === null
          ? "the port is unknown (neither PORT nor -p/--port)"
          : null;
  if (skip) {
    markReady();
    log(`[warm] HTTP warm-up skipped (${skip}); ready`);
    return Promise.resolve();
  }
  const cap = WARM_HTTP_MS + 5000;
  let timer: NodeJS.Timeout | undefined;
  const capped = new Promise<"cut">((resolve) => {
    timer = setTimeout(() => resolve("cut"), cap);
    timer.unref();
  });
  return Promise.race([warmHttp({ base: base!, budgetMs: WARM_HTTP_MS, passes: WARM_HTTP_PASSES }), capped])
    .then((r) => {
      if (r === "cut") return log(`[warm] HTTP warm-up on ${base} cut off after ${cap} ms; ready`);
      const answers = Object.entries(r.statuses)
        .map(([s, n]) => `${s}: ${n}`)
        .join(", ");
      log(
        `[warm] HTTP: ${r.requests} requests to ${base} (${r.passes} passes of the first labellers' requests; ${answers}; ${r.rowReads} runs of the label screen's reads on real rows) in ${r.ms} ms; ready`,
      );
    })
    .catch((err: Error) => log(`[warm] HTTP warm-up failed (${err.message.split("\n")[0]}); ready`))
    .finally(() => {
      clearTimeout(timer);
      markReady();
    });
}
