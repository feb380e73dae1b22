// What the route handlers never see, on the built server (issue 11): methods Next cannot represent, paths that
// do not decode, the security headers, the same-origin check as the real server builds requests, and start-up
// on a corrupt SQLite file.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, signIn, startServer } from "../../scripts/app-server";
import { raw } from "./raw";
import { ADMIN_PASSWORD, call, ENV, runBuilt, type Running } from "./server";

describe("the built server", () => {
  let app: Running;
  let base: string;
  let admin: string;
  beforeAll(async () => {
    app = await runBuilt();
    base = app.server.base;
    admin = await signIn(base, "admin", ADMIN_PASSWORD);
  });
  afterAll(async () => app?.close());

  it("TRACE, TRACK and methods the app does not speak are 405 with Allow, on pages and API, no stack trace logged", async () => {
    for (const method of ["TRACE", "PROPFIND", "MKCOL", "LOCK", "PURGE", "SEARCH"]) {
      for (const p of ["/", "/sign-in", "/api/me", "/api/experiments/demo", "/api/nope"]) {
        const res = await raw(base, method, p, { headers: { cookie: admin } });
        expect(res.status, `${method} ${p}`).toBe(405);
        expect(res.headers.allow).toMatch(/GET, HEAD, POST/);
      }
    }
    // Node's own parser refuses a method it does not know (TRACK) with 400 before any app code runs.
    expect((await raw(base, "TRACK", "/api/me")).status).toBe(400);
    expect(app.server.logs.join("\n")).not.toMatch(/TypeError|HTTP method is unsupported/);
  });

  it("a path that is not valid percent-encoded UTF-8 is a 400, signed in or out, page or API", async () => {
    for (const cookie of [undefined, admin]) {
      for (const [method, p] of [
        ["GET", "/api/experiments/%FF%FE"],
        ["GET", "/api/pairs/%FF%FE"],
        ["POST", "/api/pairs/%FF%FE/label"],
        ["PATCH", "/api/users/%C0%AF"],
        ["GET", "/experiments/%FF%FE"],
        ["GET", "/invite/%E0%A4%A"],
      ]) {
        const res = await raw(base, method, p, {
          headers: { ...(cookie ? { cookie } : {}), origin: base, "content-type": "application/json" },
          body: method === "GET" ? undefined : "{}",
        });
        expect(res.status, `${method} ${p} ${cookie ? "signed in" : "signed out"}`).toBe(400);
      }
    }
  });

  it("a declared body over the limit is a 413 at once, on any path and method, not a request held open", async () => {
    for (const [method, p] of [
      ["POST", "/api/auth/sign-in"],
      ["PROPFIND", "/account"],
      ["DELETE", "/api/experiments"],
    ]) {
      const t0 = Date.now();
      const res = await raw(base, method, p, {
        headers: { origin: base, "content-type": "application/json", "content-length": "999999999" },
        body: "{}",
        timeoutMs: 5000,
      });
      expect(res.status, `${method} ${p}`).toBe(413);
      expect(Date.now() - t0).toBeLessThan(3000);
    }
  });

  it("security headers on pages and API answers; no X-Powered-By; API answers are never cached", async () => {
    for (const p of ["/sign-in", "/api/me", "/api/nope"]) {
      const res = await raw(base, "GET", p, { headers: { cookie: admin } });
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, p).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["referrer-policy"]).toBe("same-origin");
      expect(res.headers["permissions-policy"]).toMatch(/camera=\(\)/);
      expect(res.headers["x-powered-by"]).toBeUndefined();
      // Next's own 404 says "private, no-cache, no-store, ..."; ours say "no-store".
      if (p.startsWith("/api/")) expect(res.headers["cache-control"]).toMatch(/(^|, )no-store(,|$)/);
    }
  });

  it("same-origin as the real server builds requests: scheme, host and port; forwarded headers ignored; no Origin refused", async () => {
    const body = JSON.stringify({ name: "admin", password: ADMIN_PASSWORD });
    const json = { "content-type": "application/json" };
    const signInWith = (headers: Record<string, string>) => raw(base, "POST", "/api/auth/sign-in", { headers: { ...json, ...headers }, body });
    const host = new URL(base).host;
    expect((await signInWith({ origin: base })).status).toBe(200);
    expect((await signInWith({ origin: `http://localhost:${new URL(base).port}`, host: `localhost:${new URL(base).port}` })).status).toBe(200);
    expect((await signInWith({ origin: `https://${host}` })).status).toBe(403);
    expect((await signInWith({ origin: `https://${host}`, "x-forwarded-proto": "https" })).status).toBe(403);
    expect((await signInWith({ origin: "http://evil.example", "x-forwarded-host": "evil.example" })).status).toBe(403);
    expect((await signInWith({})).status).toBe(403);
    expect((await signInWith({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await signInWith({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await raw(base, "POST", "/api/auth/sign-in", { headers: { origin: base, "content-type": "text/plain" }, body })).status).toBe(415);
  });

  it("pages still render (the CSP does not stop the server from answering them)", async () => {
    const page = await call(base, "GET", "/sign-in");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<script/);
  });
});

describe("start-up on a corrupt SQLite file", () => {
  it("exits non-zero with a message naming the file, instead of serving 500s", async () => {
    const app = await runBuilt(); // only for a throwaway directory and the build
    await app.server.stop();
    const file = path.join(app.dir, "corrupt.db");
    writeFileSync(file, Buffer.concat([Buffer.from("this is not SQLite at all\n"), Buffer.alloc(8192, 7)]));
    const err = await startServer({ port: await freePort(), databaseUrl: `file:${file}`, env: ENV }).then(
      async (s) => {
        await s.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(err, "the server must not start").not.toBeNull();
    expect(err!.message).toMatch(/the server exited \(1\)/);
    expect(err!.message).toContain(file);
    expect(err!.message).toMatch(/not a SQLite database/);
    await app.close();
  });
});
