// The probes (GET /api/health, /api/health/ready) and the HTTP warm-up's parts that need no built server: where it
// sends its requests, what it sends, and that it always ends ready. tests/http/probes.test.ts runs it in `next start`.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as health from "@/app/api/health/route";
import * as ready from "@/app/api/health/ready/route";
import * as warm from "@/app/api/health/warm/route";
import { WARM_TOKEN_HEADER, healthResponse, readyResponse, warmResponse } from "@/lib/contracts/health";
import { getDb } from "@/lib/server/db/client";
import { ensureDemo } from "@/lib/server/experiments/demo";
import { errorBodySchema } from "@/lib/contracts/errors";
import { resetConfigForTests } from "@/lib/config";
import { instanceState, markReady, markWarming, warmToken } from "@/lib/server/readiness";
import { selfBase, startHttpWarmUp, warmHttp } from "@/lib/server/warm-http";
import { req, tableCounts } from "./helpers";

afterEach(() => {
  markWarming();
  vi.unstubAllEnvs();
  resetConfigForTests();
});

describe("the probes", () => {
  it("ready: 503 UNAVAILABLE with Retry-After until the warm-up is done, then 200; never cached; no session needed", async () => {
    const before = await tableCounts();
    markWarming();
    const cold = await ready.GET(req("/api/health/ready", { as: null }));
    expect(cold.status).toBe(503);
    expect(cold.headers.get("retry-after")).toBe("1");
    expect(cold.headers.get("cache-control")).toBe("no-store");
    const coldBody = errorBodySchema.parse(await cold.json());
    expect(coldBody.error.code).toBe("UNAVAILABLE");
    expect(coldBody.error.details).toEqual({ state: "warming", retryAfterSec: 1 });

    markReady();
    const warm = await ready.GET(req("/api/health/ready", { as: null }));
    expect(warm.status).toBe(200);
    expect(warm.headers.get("cache-control")).toBe("no-store");
    expect(readyResponse.parse(await warm.json())).toEqual({ state: "ready" });
    expect(await tableCounts()).toEqual(before);
  });

  it("liveness: 200 whether warming or ready, with the state and nothing else", async () => {
    for (const [mark, state] of [
      [markWarming, "warming"],
      [markReady, "ready"],
    ] as const) {
      mark();
      const res = await health.GET(req("/api/health", { as: null }));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(healthResponse.parse(await res.json())).toEqual({ state });
    }
  });
});

describe("GET /api/health/warm: the HTTP warm-up's reads on real rows", () => {
  it("404 without this process's token, with a wrong one, and once ready; with it while warming, reads real rows and writes nothing", async () => {
    await ensureDemo(await getDb()); // an experiment with open pairs to read
    const before = await tableCounts();
    markWarming();
    const call = (token?: string) => warm.GET(req("/api/health/warm", { as: null, headers: token === undefined ? {} : { [WARM_TOKEN_HEADER]: token } }));
    const token = warmToken();
    const wrong = token.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    for (const t of [undefined, "", wrong, `${token}x`, token.slice(1)]) {
      const res = await call(t);
      expect(res.status).toBe(404);
      expect(errorBodySchema.parse(await res.json()).error.code).toBe("NOT_FOUND");
    }
    const ok = await call(token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(warmResponse.parse(await ok.json())).toEqual({ rows: true });
    expect(await tableCounts()).toEqual(before);

    markReady();
    expect((await call(token)).status).toBe(404);
  });
});

describe("where the instance warms itself", () => {
  it("the port Next bound (PORT), else -p / --port from argv; loopback unless -H names one address", () => {
    const argv = (...a: string[]) => ["node", "next", "start", ...a];
    expect(selfBase({ PORT: "3007" }, argv())).toBe("http://127.0.0.1:3007");
    expect(selfBase({ PORT: "3007" }, argv("-p", "4000"))).toBe("http://127.0.0.1:3007");
    expect(selfBase({}, argv("-p", "4000"))).toBe("http://127.0.0.1:4000");
    expect(selfBase({}, argv("--port", "4001"))).toBe("http://127.0.0.1:4001");
    expect(selfBase({}, argv("--port=4002"))).toBe("http://127.0.0.1:4002");
    expect(selfBase({}, argv("-p4003"))).toBe("http://127.0.0.1:4003");
    expect(selfBase({ PORT: "" }, argv("-H", "0.0.0.0", "-p", "4004"))).toBe("http://127.0.0.1:4004");
    expect(selfBase({}, argv("-H", "10.1.2.3", "-p", "4005"))).toBe("http://10.1.2.3:4005");
    expect(selfBase({}, argv("--hostname", "::1", "-p", "4006"))).toBe("http://[::1]:4006");
    expect(selfBase({}, argv("-H", "::", "-p", "4007"))).toBe("http://127.0.0.1:4007");
    expect(selfBase({}, argv())).toBeNull();
    expect(selfBase({ PORT: "http" }, argv("-p", "99999"))).toBeNull();
  });
});

/** A stand-in for the app: records each request, answers 401 (or drops the connection). */
async function recorder(opts: { drop?: boolean; delayMs?: number } = {}) {
  const seen: { method: string; url: string; origin?: string; cookie?: string; token?: string; body: string }[] = [];
  const server = http.createServer((r, res) => {
    let body = "";
    r.on("data", (c) => (body += c));
    r.on("end", () => {
      const token = r.headers[WARM_TOKEN_HEADER];
      seen.push({
        method: r.method!,
        url: r.url!,
        origin: r.headers.origin,
        cookie: r.headers.cookie,
        token: typeof token === "string" ? token : undefined,
        body,
      });
      if (opts.drop) return void r.socket.destroy();
      setTimeout(() => res.writeHead(401, { "content-type": "application/json" }).end("{}"), opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("the HTTP warm-up", () => {
  it("sends the first labellers' requests with this site's Origin and a sealed cookie of no session, for its passes", async () => {
    const app = await recorder();
    const r = await warmHttp({ base: app.base, budgetMs: 10_000, passes: 3 });
    await app.close();
    expect(r.passes).toBe(3);
    expect(r.requests).toBe(app.seen.length);
    expect(r.statuses).toEqual({ 401: app.seen.length });
    const paths = new Set(app.seen.map((s) => `${s.method} ${s.url.replace(/[0-9a-f-]{36}/, ":id")}`));
    for (const p of ["POST /api/label/next", "POST /api/pairs/:id/label", "GET /label", "GET /sign-in", "GET /api/health", "GET /api/health/warm"])
      expect(paths).toContain(p);
    // Only the warm-up's own route gets this process's token.
    for (const s of app.seen) expect(s.token).toBe(s.url === "/api/health/warm" ? warmToken() : undefined);
    for (const s of app.seen) {
      expect(s.origin).toBe(app.base);
      expect(s.cookie).toMatch(/^oprl_session=Fe26\.2\*/);
    }
    const label = app.seen.find((s) => s.url.endsWith("/label") && s.method === "POST")!;
    expect(JSON.parse(label.body)).toMatchObject({ choice: "left" });
  });

  it("behind a proxy (APP_URL set) it sends APP_URL's origin, which the same-origin check expects", async () => {
    vi.stubEnv("APP_URL", "https://oprl.example.org/");
    resetConfigForTests();
    const app = await recorder();
    await warmHttp({ base: app.base, budgetMs: 10_000, passes: 1 });
    await app.close();
    expect(new Set(app.seen.map((s) => s.origin))).toEqual(new Set(["https://oprl.example.org"]));
  });

  it("stops at its time budget, a pass once started finishing", async () => {
    const app = await recorder({ delayMs: 30 });
    const r = await warmHttp({ base: app.base, budgetMs: 200, passes: 1000 });
    await app.close();
    // A pass of 11 requests takes at least 330 ms here: one pass, then the budget is spent.
    expect(r.passes, JSON.stringify(r)).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(330);
  });

  it("an app that drops every request: the warm-up stops after 3 failures in a row and does not throw", async () => {
    const app = await recorder({ drop: true });
    const r = await warmHttp({ base: app.base, budgetMs: 10_000, passes: 50 });
    await app.close();
    expect(r.statuses).toEqual({ error: 3 });
  });

  it("always ends ready: with no port known it is skipped at once; otherwise after its passes, logged on one [warm] line", async () => {
    const lines: string[] = [];
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("PORT", "");
    const argv = process.argv;
    process.argv = ["node", "next", "start"];
    try {
      await startHttpWarmUp((l) => lines.push(l));
    } finally {
      process.argv = argv;
    }
    expect(instanceState()).toBe("ready");
    expect(lines).toEqual(["[warm] HTTP warm-up skipped (the port is unknown (neither PORT nor -p/--port)); ready"]);

    markWarming();
    const app = await recorder();
    vi.stubEnv("PORT", new URL(app.base).port);
    vi.stubEnv("WARM_HTTP_PASSES", "2");
    resetConfigForTests();
    const warming = startHttpWarmUp((l) => lines.push(l));
    expect(instanceState()).toBe("warming");
    await warming;
    await app.close();
    expect(instanceState()).toBe("ready");
    expect(lines[1]).toMatch(
      new RegExp(
        `^\\[warm\\] HTTP: ${app.seen.length} requests to ${app.base} \\(2 passes .*401: ${app.seen.length}; 0 runs of the label screen's reads on real rows\\) in \\d+ ms; ready$`,
      ),
    );
  });
});
