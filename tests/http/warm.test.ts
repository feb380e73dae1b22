// The warm start on the built server (issue 12): GET /api/health/ready is 503 while the instance sends itself its
// first labellers' requests and 200 after, reachable without a session; and that warm-up writes nothing.
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startServer } from "../../scripts/app-server";
import { raw } from "./raw";
import { ENV, runBuilt, type Running } from "./server";

/** Every table's rows, hashed: a write anywhere changes it. */
function snapshot(file: string): Record<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const out: Record<string, string> = {};
    for (const t of tables) {
      const rows = db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().all();
      out[t] = `${rows.length} rows ${createHash("sha256")
        .update(JSON.stringify(rows, (_k, v) => (Buffer.isBuffer(v) ? v.toString("base64") : typeof v === "bigint" ? String(v) : v)))
        .digest("hex")
        .slice(0, 16)}`;
    }
    return out;
  } finally {
    db.close();
  }
}

const warmLine = (logs: string[]) => logs.find((l) => l.startsWith("[warm] HTTP"));

describe("readiness on the built server", () => {
  let app: Running | undefined;
  afterAll(async () => app?.close());

  it("503 with Retry-After while warming (no session needed, any cookie), 200 after; liveness 200 throughout", async () => {
    // A long warm-up (many passes, 4 s) so its window can be seen.
    app = await runBuilt({ WARM_HTTP_MS: "4000", WARM_HTTP_PASSES: "10000" }, "live");
    const server = app.server;
    const base = server.base;
    const t0 = Date.now();
    const live = await raw(base, "GET", "/api/health");
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ state: "warming" });
    for (const headers of [{}, { cookie: "oprl_session=Fe26.2**garbage" }] as Record<string, string>[]) {
      const cold = await raw(base, "GET", "/api/health/ready", { headers });
      expect(cold.status).toBe(503);
      expect(cold.headers["retry-after"]).toBe("1");
      expect(cold.headers["cache-control"]).toBe("no-store");
      expect(JSON.parse(cold.body).error).toMatchObject({ code: "UNAVAILABLE", details: { state: "warming" } });
    }
    expect((await raw(base, "HEAD", "/api/health/ready")).status).toBe(503);
    expect(warmLine(server.logs)).toBeUndefined();

    let status = 0;
    while (Date.now() - t0 < 30_000 && (status = (await raw(base, "GET", "/api/health/ready")).status) === 503) await new Promise((r) => setTimeout(r, 100));
    expect(status).toBe(200);
    // Ready only once the warm-up has logged what it did: every request answered, none with a 5xx.
    const line = warmLine(server.logs);
    expect(line, server.logs.join("\n")).toMatch(/^\[warm\] HTTP: \d+ requests to http:\/\/127\.0\.0\.1:\d+ \(\d+ passes .*\) in \d+ ms; ready$/);
    expect(line).toMatch(/200: \d+/);
    expect(line).toMatch(/401: \d+/);
    expect(line).not.toMatch(/error|5\d\d:/);
    // The warm route answered the warm-up (its token, made in register()'s copy of the code, reached the routes' copy):
    // one 200 per pass, so none was a 404.
    const passes = Number(/\((\d+) passes/.exec(line!)![1]);
    expect(line).toContain(`; ${passes} runs of the label screen's reads on real rows)`);
    expect(line).not.toMatch(/404:/);
    expect(Number(/in (\d+) ms/.exec(line!)![1])).toBeGreaterThanOrEqual(4000);
    const ready = await raw(base, "GET", "/api/health/ready");
    expect(ready.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(ready.body)).toEqual({ state: "ready" });
    expect(JSON.parse((await raw(base, "GET", "/api/health")).body)).toEqual({ state: "ready" });
  });

  it("the warm-up writes nothing: a restart (start-up + warm-up) leaves every table's rows as they were", async () => {
    // A database as the first start leaves it (migrations, the admin, the demo), the server stopped.
    const own = await runBuilt({ WARM_HTTP_PASSES: "5" });
    await own.server.stop();
    const before = snapshot(own.dbFile);
    expect(Object.keys(before).length).toBeGreaterThan(5);
    const again = await startServer({ port: await freePort(), databaseUrl: `file:${own.dbFile}`, env: { ...ENV, WARM_HTTP_PASSES: "5" } });
    const line = warmLine(again.logs);
    await again.stop();
    expect(line, again.logs.join("\n")).toMatch(/\(5 passes .*401: \d+/);
    expect(snapshot(own.dbFile)).toEqual(before);
    await own.close();
  });
});
