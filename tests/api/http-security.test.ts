// The HTTP half of issue 11 at the handler level: same-origin by scheme, host and port (never X-Forwarded-*),
// Sec-Fetch-Site when there is no Origin, 415 for bodies that are not JSON, per-account quotas (429), maze text
// stored as parsed, and a database locked by another process: retried, then 503, never 500.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import Database from "better-sqlite3";
import * as experiments from "@/app/api/experiments/route";
import * as experiment from "@/app/api/experiments/[id]/route";
import * as invites from "@/app/api/invites/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import { getDb } from "@/lib/server/db/client";
import { sqliteFilePath } from "@/lib/server/db/sqlite-path";
import { resetConfigForTests } from "@/lib/config";
import { isDatabaseUnavailable, isRetryable } from "@/lib/server/db/errors";
import { createInvite } from "@/lib/server/auth/users";
import { account, body, ctx, goodExperiment, req, tableCounts, type Session } from "./helpers";

const signInBody = (s: Session) => ({ name: s.name, password: s.password });

describe("same-origin check for state changes", () => {
  let who: Session;
  beforeAll(async () => {
    who = await account("origin-labeler", "labeler");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
  });
  const post = (headers: Record<string, string>) => signIn.POST(req("/api/auth/sign-in", { method: "POST", body: signInBody(who), as: null, headers }));

  it("Origin must match in scheme, host and port", async () => {
    expect((await post({ origin: "http://localhost:3000" })).status).toBe(200);
    expect((await post({ origin: "https://localhost:3000" })).status).toBe(403); // https page, http app
    expect((await post({ origin: "http://localhost:3001" })).status).toBe(403);
    expect((await post({ origin: "http://evil.example" })).status).toBe(403);
    expect((await post({ origin: "null" })).status).toBe(403);
  });

  it("the Host the request was sent to counts; X-Forwarded-Host and -Proto sent by a client do not", async () => {
    expect((await post({ origin: "http://127.0.0.1:3291", host: "127.0.0.1:3291" })).status).toBe(200);
    expect((await post({ origin: "http://evil.example", "x-forwarded-host": "evil.example" })).status).toBe(403);
    expect((await post({ origin: "https://localhost:3000", "x-forwarded-proto": "https" })).status).toBe(403);
    expect((await post({ origin: "http://evil.example/x@localhost:3000", host: "evil.example/x@localhost:3000" })).status).toBe(403);
  });

  it("with APP_URL set, that origin (and only it) is the app's", async () => {
    vi.stubEnv("APP_URL", "https://oprl.example.org");
    resetConfigForTests();
    expect((await post({ origin: "https://oprl.example.org" })).status).toBe(200);
    expect((await post({ origin: "http://oprl.example.org" })).status).toBe(403);
    expect((await post({ origin: "http://localhost:3000" })).status).toBe(403);
  });

  it("without Origin: Sec-Fetch-Site same-origin or none passes, anything else (or nothing) is refused", async () => {
    const noOrigin = (headers: Record<string, string>) =>
      signIn.POST(
        new Request("http://localhost:3000/api/auth/sign-in", {
          method: "POST",
          body: JSON.stringify(signInBody(who)),
          headers: { "content-type": "application/json", ...headers },
        }),
      );
    expect((await noOrigin({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await noOrigin({ "sec-fetch-site": "none" })).status).toBe(200);
    expect((await noOrigin({ "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await noOrigin({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    const bare = await noOrigin({});
    expect(bare.status).toBe(403);
    expect((await body(bare)).error.message).toMatch(/no Origin or Sec-Fetch-Site/);
  });
});

describe("bodies that are not JSON", () => {
  it("text/plain, form and multipart bodies (and a body without Content-Type) are 415, nothing written", async () => {
    const admin = await account("media-admin", "admin");
    const before = await tableCounts();
    const json = JSON.stringify(goodExperiment({ name: "sneaky" }));
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await experiments.POST(req("/api/experiments", { method: "POST", raw: json, as: admin, headers: { "content-type": type } }));
      expect(res.status, type).toBe(415);
      expect((await body(res)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    const untyped = new Request("http://localhost:3000/api/experiments", {
      method: "POST",
      body: new Blob([json]),
      headers: { cookie: admin.cookie, origin: "http://localhost:3000" },
    });
    expect((await experiments.POST(untyped)).status).toBe(415);
    expect(await tableCounts()).toEqual(before);
    // JSON with parameters, and +json types, are JSON.
    const ok = await experiments.POST(
      req("/api/experiments", { method: "POST", raw: json, as: admin, headers: { "content-type": "application/json; charset=utf-8" } }),
    );
    expect(ok.status).toBe(201);
  });
});

describe("maze text", () => {
  it('"S.   \\n.G" is stored as the 2x2 maze the preview shows, not 2x5', async () => {
    const admin = await account("maze-admin", "admin");
    const res = await experiments.POST(
      req("/api/experiments", { method: "POST", body: goodExperiment({ name: "trailing", maze: { kind: "text", text: "S.   \n.G" } }), as: admin }),
    );
    expect(res.status).toBe(201);
    const { experiment: e } = await body(res);
    expect(e.maze).toEqual({ rows: 2, cols: 2 });
    expect(e.mazeText).toBe("S.\n.G");
    const listed = (await body(await experiments.GET(req("/api/experiments", { as: admin })))).experiments.find((x: { id: string }) => x.id === e.id);
    expect(listed.maze).toEqual({ rows: 2, cols: 2 });
  });
});

describe("quotas", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
  });

  it("experiments: EXPERIMENTS_PER_MINUTE a minute, then 429 with Retry-After; nothing written", async () => {
    vi.stubEnv("EXPERIMENTS_PER_MINUTE", "3");
    resetConfigForTests();
    const r = await account("quota-researcher", "researcher");
    const make = () => experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "q" }), as: r }));
    for (let i = 0; i < 3; i++) expect((await make()).status).toBe(201);
    const before = await tableCounts();
    const refused = await make();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect((await body(refused)).error.message).toMatch(/at most 3 experiments a minute/);
    expect(await tableCounts()).toEqual(before);
    // Another account has its own quota.
    expect(
      (await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "q" }), as: await account("quota-other", "researcher") })))
        .status,
    ).toBe(201);
  });

  it("experiments: EXPERIMENTS_PER_USER in all, then 429", async () => {
    vi.stubEnv("EXPERIMENTS_PER_USER", "2");
    resetConfigForTests();
    const r = await account("quota-capped", "researcher");
    const make = () => experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "c" }), as: r }));
    expect((await make()).status).toBe(201);
    expect((await make()).status).toBe(201);
    const refused = await make();
    expect(refused.status).toBe(429);
    expect((await body(refused)).error.message).toMatch(/at most 2 experiments per account/);
  });

  it("invite links: INVITES_PER_MINUTE a minute and INVITES_PER_USER open at once, then 429", async () => {
    vi.stubEnv("INVITES_PER_MINUTE", "2");
    vi.stubEnv("INVITES_PER_USER", "3");
    resetConfigForTests();
    const admin = await account("quota-admin", "admin");
    const make = () => invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler", expiresInHours: 1 }, as: admin }));
    expect((await make()).status).toBe(201);
    expect((await make()).status).toBe(201);
    const perMinute = await make();
    expect(perMinute.status).toBe(429);
    expect((await body(perMinute)).error.message).toMatch(/at most 2 invite or reset links a minute/);
    // A minute later the rate allows more, but the cap on open links holds: move the first two back in time.
    const db = await getDb();
    await db.invite.updateMany({ where: { createdById: admin.id }, data: { createdAt: new Date(Date.now() - 120_000) } });
    expect((await make()).status).toBe(201);
    await db.invite.updateMany({ where: { createdById: admin.id }, data: { createdAt: new Date(Date.now() - 120_000) } });
    const capped = await make();
    expect(capped.status).toBe(429);
    expect((await body(capped)).error.message).toMatch(/at most 3 invite or reset links per account/);
    // Links made from the command line (no maker) are not counted.
    for (let i = 0; i < 4; i++) await createInvite(db, null, { role: "labeler", expiresInHours: 1 });
  });
});

describe("a full disk", () => {
  it("a write that finds the database full is a 503 with Retry-After (SQLITE_FULL, made real by max_page_count), and works once there is room", async () => {
    const admin = await account("full-admin", "admin");
    const db = await getDb();
    vi.stubEnv("EXPERIMENTS_PER_MINUTE", "1000"); // the quota must not answer first
    resetConfigForTests();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const [{ page_count }] = await db.$queryRawUnsafe<{ page_count: number | bigint }[]>("PRAGMA page_count");
    try {
      await db.$executeRawUnsafe(`PRAGMA max_page_count = ${Number(page_count)}`);
      const before = await tableCounts();
      const big = goodExperiment({ name: "x".repeat(80) });
      let res: Response | null = null;
      // Pages may still have room for a row or two: write until the file must grow.
      for (let i = 0; i < 200; i++) {
        res = await experiments.POST(req("/api/experiments", { method: "POST", body: big, as: admin }));
        if (res.status !== 201) break;
      }
      expect(res!.status).toBe(503);
      expect(res!.headers.get("retry-after")).toBe("5");
      expect((await body(res!)).error.code).toBe("UNAVAILABLE");
      expect((await tableCounts()).experiments).toBeGreaterThanOrEqual(before.experiments as number);
    } finally {
      await db.$executeRawUnsafe("PRAGMA max_page_count = 1073741823");
      logged.mockRestore();
      vi.unstubAllEnvs();
      resetConfigForTests();
    }
    expect((await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "room again" }), as: admin }))).status).toBe(201);
  });
});

describe("which database errors are faults of the database", () => {
  // The PostgreSQL faults (serialization failure, deadlock, a dropped connection) cannot be produced on this
  // suite's SQLite file: their error shapes, as Prisma's driver adapters report them, are classified here instead.
  const adapterError = (code: string, originalCode: string, kind = "postgres") => ({ code, meta: { driverAdapterError: { cause: { originalCode, kind } } } });
  it("busy, conflicts, timeouts and lost connections are retried; a full disk is unavailable but not retried; a user's mistake is neither", () => {
    for (const e of [
      adapterError("P2034", "40001"),
      adapterError("P2034", "40P01"),
      adapterError("P1008", "SQLITE_BUSY", "SocketTimeout"),
      { code: "P1017" },
      { code: "P1001" },
      { code: "P2024" },
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    ]) {
      expect(isDatabaseUnavailable(e), JSON.stringify(e)).toBe(true);
      expect(isRetryable(e), JSON.stringify(e)).toBe(true);
    }
    const full = adapterError("P2039", "SQLITE_FULL", "sqlite");
    expect(isDatabaseUnavailable(full)).toBe(true);
    expect(isRetryable(full)).toBe(false);
    expect(isDatabaseUnavailable(adapterError("P2039", "53100"))).toBe(true); // PostgreSQL disk_full
    for (const e of [{ code: "P2002" }, { code: "P2003" }, { code: "P2025" }, new Error("boom"), adapterError("P2039", "23505")]) {
      expect(isDatabaseUnavailable(e), JSON.stringify(e)).toBe(false);
    }
  });
});

describe("a database locked by another process", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
  });

  it("a write waits and retries while another connection holds the write lock, then answers 503 (not 500), and goes through once it is free", async () => {
    const admin = await account("busy-admin", "admin");
    const db = await getDb();
    const created = await body(await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "busy" }), as: admin })));
    const id = created.experiment.id;
    // A real lock: a second connection to the same file (as another process would) holds BEGIN EXCLUSIVE.
    const other = new Database(sqliteFilePath(process.env.DATABASE_URL!));
    vi.stubEnv("DB_RETRY_MS", "1500");
    resetConfigForTests();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      other.exec("BEGIN EXCLUSIVE");
      const t0 = Date.now();
      const locked = await experiment.PATCH(req(`/api/experiments/${id}`, { method: "PATCH", body: { name: "renamed while locked" }, as: admin }), ctx(id));
      const waited = Date.now() - t0;
      expect(locked.status).toBe(503);
      expect(locked.headers.get("retry-after")).toBe("5");
      expect((await body(locked)).error.code).toBe("UNAVAILABLE");
      // Bounded: the busy timeout (SQLITE_BUSY_TIMEOUT_MS, 3 s) once more than the retry budget, at most.
      expect(waited).toBeGreaterThanOrEqual(1500);
      expect(waited).toBeLessThan(1500 + 2 * 3000 + 2000);
      expect(String(logged.mock.calls.at(-1)?.[0])).toMatch(/database unavailable/);
      // A POST (not idempotent) is not run twice, but is a 503 too.
      const post = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "while locked" }), as: admin }));
      expect(post.status).toBe(503);

      // The lock ends while the request is retrying: it goes through.
      vi.stubEnv("DB_RETRY_MS", "8000");
      resetConfigForTests();
      setTimeout(() => other.exec("COMMIT"), 1000);
      const later = await experiment.PATCH(req(`/api/experiments/${id}`, { method: "PATCH", body: { name: "renamed after" }, as: admin }), ctx(id));
      expect(later.status).toBe(200);
      expect((await db.experiment.findUniqueOrThrow({ where: { id } })).name).toBe("renamed after");
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      logged.mockRestore();
    }
  });
});
