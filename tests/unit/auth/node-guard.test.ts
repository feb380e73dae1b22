// The node guard's cheap refusals, on a real HTTP server in this process: methods the app does not speak (405) and
// paths that do not decode (400) never reach the app; sign-ins and invites from an address the database throttle
// holds are answered 429 before the app's handler runs; other addresses, other routes, other methods and the same
// address after its wait pass through.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodablePath, guardNodeServer, RateBucket, requestPath } from "@/lib/server/http/node-guard";
import { clearAddressBlocks, noteAddressBlocked } from "@/lib/server/auth/address-blocks";
import { hashPassword } from "@/lib/server/auth/password";
import { raw } from "../../http/raw";

process.env.TRUST_PROXY = "1";
// One hash at a time and none waiting: one slow hash fills the pool.
process.env.PASSWORD_HASH_CONCURRENCY = "1";
process.env.PASSWORD_HASH_QUEUE = "0";
process.env.PASSWORD_HASH_COST = "12";
// Sign-ins and invites the process takes per second from everyone (bursts of twice that).
process.env.AUTH_REQUESTS_PER_SECOND = "5";

/**
 * A plain app behind the guard, on a real HTTP server in this process, for the describe block that calls it: `base`
 * is its address and `reached` what got past the guard (emptied before each test).
 */
function appBehindGuard(): { base: string; reached: string[] } {
  const app = { base: "", reached: [] as string[] };
  let server: http.Server;
  beforeAll(async () => {
    guardNodeServer();
    server = http.createServer((req, res) => {
      app.reached.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => res.end("app"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    app.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    app.reached.length = 0;
  });
  return app;
}

describe("node guard: password requests refused before the app", () => {
  const app = appBehindGuard();
  beforeEach(() => clearAddressBlocks());

  // TRUST_PROXY=1: the client is the address the (trusted) proxy appended, i.e. the last entry a client sends.
  const post = (path: string, client: string) =>
    fetch(`${app.base}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": `1.2.3.4, ${client}` }, body: "{}" });

  it("refuses a held address's sign-ins with the API's 429 and Retry-After; the app never sees them", async () => {
    noteAddressBlocked("sign-in", "203.0.113.9", Date.now() + 4_000);
    const res = await post("/api/auth/sign-in", "203.0.113.9");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(4);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    const withQuery = await post("/api/auth/sign-in?x=1", "203.0.113.9");
    expect(withQuery.status).toBe(429);
    expect(app.reached).toEqual([]);
  });

  it("lets through other addresses, the other password route, GETs and other routes", async () => {
    noteAddressBlocked("sign-in", "203.0.113.9", Date.now() + 4_000);
    expect((await post("/api/auth/sign-in", "203.0.113.10")).status).toBe(200);
    expect((await post("/api/auth/invite", "203.0.113.9")).status).toBe(200);
    expect((await fetch(`${app.base}/api/auth/sign-in`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(200);
    expect((await post("/api/label/next", "203.0.113.9")).status).toBe(200);
    expect(app.reached).toEqual(["POST /api/auth/sign-in", "POST /api/auth/invite", "GET /api/auth/sign-in", "POST /api/label/next"]);
  });

  it("invites are held by their own scope; a wait that is over lets the address through again", async () => {
    noteAddressBlocked("invite", "203.0.113.9", Date.now() + 150);
    expect((await post("/api/auth/invite", "203.0.113.9")).status).toBe(429);
    await new Promise((r) => setTimeout(r, 200));
    expect((await post("/api/auth/invite", "203.0.113.9")).status).toBe(200);
    expect(app.reached).toEqual(["POST /api/auth/invite"]);
  });

  it("keeps the connection open for the next request (a flood does not make it reconnect)", async () => {
    noteAddressBlocked("sign-in", "203.0.113.9", Date.now() + 4_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${app.base}/api/auth/sign-in`,
          { method: "POST", agent, headers: { "x-forwarded-for": "203.0.113.9", "content-type": "application/json" } },
          (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on("end", () => resolve(res.statusCode!));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ name: "x", password: "y".repeat(2000) }));
      });
      expect(status).toBe(429);
    }
    agent.destroy();
    expect(sockets.size).toBe(1);
  });

  it("while the password pool is full, sign-ins and invites from anyone are 429 at once; other routes pass", async () => {
    const hashing = hashPassword("a password that takes a while");
    const signIn = await post("/api/auth/sign-in", "203.0.113.20");
    const invite = await post("/api/auth/invite", "203.0.113.21");
    const other = await post("/api/label/next", "203.0.113.20");
    await hashing;
    expect([signIn.status, invite.status, other.status]).toEqual([429, 429, 200]);
    expect(await signIn.json()).toMatchObject({ error: { code: "RATE_LIMITED", message: expect.stringMatching(/busy/) } });
    expect((await post("/api/auth/sign-in", "203.0.113.20")).status).toBe(200);
    expect(app.reached).toEqual(["POST /api/label/next", "POST /api/auth/sign-in"]);
  });

  it("beyond the per-second budget, sign-ins from many addresses are 429 at once; the budget refills", async () => {
    await new Promise((r) => setTimeout(r, 2_100)); // the earlier tests' requests refilled
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => post("/api/auth/sign-in", `198.51.100.${i + 1}`).then((r) => r.status)));
    const seconds = (performance.now() - started) / 1000;
    const passed = statuses.filter((x) => x === 200).length;
    // The burst (10), plus what refilled while the requests came in (5/s) on however busy a machine.
    expect(passed).toBeGreaterThanOrEqual(10);
    expect(passed).toBeLessThanOrEqual(10 + Math.ceil(5 * seconds));
    if (seconds < 2) expect(passed).toBeLessThan(30);
    expect(statuses.filter((x) => x === 429)).toHaveLength(30 - passed);
    expect(app.reached).toHaveLength(passed);
    await new Promise((r) => setTimeout(r, 400));
    expect((await post("/api/auth/sign-in", "198.51.100.200")).status).toBe(200);
  });
});

describe("RateBucket", () => {
  it("takes bursts of twice the rate, then the rate", () => {
    const b = new RateBucket(10, 0);
    expect(Array.from({ length: 25 }, () => b.take(0)).filter(Boolean)).toHaveLength(20);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
    expect(b.take(100)).toBe(false);
    expect(Array.from({ length: 30 }, () => b.take(10_000)).filter(Boolean)).toHaveLength(20);
  });
});

describe("node guard: methods and paths no route can answer", () => {
  const app = appBehindGuard();
  // Methods fetch() will not send (TRACE) and paths it would normalise: node:http, as the HTTP suite sends them.
  const send = (method: string, path: string) => raw(app.base, method, path);

  it("a method the app does not speak is a 405 with Allow: the API's error shape on API paths, text on pages", async () => {
    for (const method of ["TRACE", "PROPFIND", "MKCOL", "LOCK", "PURGE", "SEARCH"]) {
      const api = await send(method, "/api/me");
      expect(api.status, method).toBe(405);
      expect(api.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
      expect(api.headers["cache-control"]).toBe("no-store");
      // Next never sees these answers, so it adds no security headers: the guard does.
      expect(api.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(api.headers["x-content-type-options"]).toBe("nosniff");
      expect(api.headers["x-frame-options"]).toBe("DENY");
      expect(JSON.parse(api.body)).toEqual({ error: { code: "METHOD_NOT_ALLOWED", message: `method ${method} not allowed` } });
      const page = await send(method, "/sign-in?next=/label");
      expect(page.status, method).toBe(405);
      expect(page.headers["content-type"]).toMatch(/^text\/plain/);
    }
    expect(app.reached).toEqual([]);
  });

  it("a path that is not valid percent-encoded UTF-8 is a 400, in the path only (a query is the route's business)", async () => {
    for (const path of ["/api/pairs/%FF%FE", "/api/pairs/%FF%FE/label", "/api/users/%C0%AF", "/experiments/%FF", "/invite/%E0%A4%A"]) {
      const res = await send("GET", path);
      expect(res.status, path).toBe(400);
      if (path.startsWith("/api/")) expect(JSON.parse(res.body).error.code).toBe("BAD_PATH");
    }
    // Absolute-form request targets are checked on their path too.
    expect((await send("GET", `${app.base}/api/pairs/%FF`)).status).toBe(400);
    expect(app.reached).toEqual([]);
    for (const path of ["/api/pairs/%C3%A9", "/api/experiments?q=%FF", "/label#%FF", "/"]) expect((await send("GET", path)).status, path).toBe(200);
    for (const method of ["HEAD", "OPTIONS", "DELETE", "PATCH", "PUT", "POST"]) expect((await send(method, "/api/me")).status, method).toBe(200);
    expect(app.reached).toHaveLength(10);
  });

  it("reads the path from both request-target forms, and decodes every segment", () => {
    expect(requestPath("/a/b?c=%FF#d")).toBe("/a/b");
    expect(requestPath("/a/b#x")).toBe("/a/b");
    expect(requestPath("http://h:1/a/%FF?x")).toBe("/a/%FF");
    expect(requestPath(undefined)).toBe("/");
    expect(decodablePath("/a/%E2%9C%93/b")).toBe(true);
    expect(decodablePath("/a/%E2%9C/b")).toBe(false);
    expect(decodablePath("/plain/path")).toBe(true);
  });
});
