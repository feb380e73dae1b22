// HTTP fuzzing of the BUILT server (issue 11): seeded random methods, paths (every route and page under app/,
// plus garbage), ids, bodies and headers, as each role (signed out, labeller, researcher, admin, a tampered
// cookie). Targets: no 5xx, no hang (per-request timeout), and no write on refusal: every table's row count is
// read from the database file before and after each request, and a non-2xx answer must leave them as they were.
// Requests go one at a time so each write is the request's own (the worker is off). FUZZ_REQUESTS (default
// 5000) and FUZZ_SEED (default 11) change the run; the counts are printed.
import { readdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import seedrandom from "seedrandom";
import { signIn } from "../../scripts/app-server";
import { raw } from "./raw";
import { ADMIN_PASSWORD, call, runBuilt, type Running } from "./server";

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const SEED = process.env.FUZZ_SEED ?? "11";
const TIMEOUT_MS = 15_000;
const ROOT = path.resolve(import.meta.dirname, "../..");

/** Route and page templates from the files under app/ ("/api/experiments/[id]/rounds"). */
function templates(kind: "route.ts" | "page.tsx"): string[] {
  const dir = path.join(ROOT, "app");
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(kind) && !f.split(path.sep).some((s) => s.startsWith("_")))
    .map((f) => "/" + path.dirname(f).split(path.sep).join("/"))
    .map((p) => (p === "/." ? "/" : p));
}

// Tables that record refused attempts by design (sign-in throttles kept in the database) are not "writes".
const REFUSAL_LOG_TABLES = /throttle|attempt|rate|limit/i;

function rowCounts(db: Database.Database): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'").all() as {
    name: string;
  }[];
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    if (REFUSAL_LOG_TABLES.test(name)) continue;
    out[name] = (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
  }
  return out;
}

describe("HTTP fuzz against the built server", () => {
  let app: Running;
  let base: string;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    app = await runBuilt();
    base = app.server.base;
    cookies.admin = await signIn(base, "admin", ADMIN_PASSWORD);
    for (const role of ["labeler", "researcher"]) {
      const made = await call(base, "POST", "/api/users", { cookie: cookies.admin, body: { name: `fuzz-${role}`, role, password: `fuzz-${role}-pass` } });
      expect(made.status).toBe(201);
      cookies[role] = await signIn(base, `fuzz-${role}`, `fuzz-${role}-pass`);
    }
    // Real ids to aim at: the demo's pairs (made on first list), an experiment, a round, users, an invite.
    expect((await call(base, "GET", "/api/experiments", { cookie: cookies.admin })).status).toBe(200);
    const exp = await call(base, "POST", "/api/experiments", {
      cookie: cookies.admin,
      body: {
        name: "fuzz",
        preset: "default",
        seed: 1,
        maze: { kind: "text", text: "S..\n.#.\n..G" },
        shaping: { mode: "potential", beta: 0.5 },
        teacher: "oracle",
        labellingMode: "human",
        labelsPerPair: 1,
        episodesPerRound: 20,
        pairsPerRound: 4,
        pairSelection: "random",
        labelTimeLimitSec: 30,
      },
    });
    expect(exp.status).toBe(201);
    await call(base, "POST", `/api/experiments/${exp.json.experiment.id}/rounds`, { cookie: cookies.admin, body: {} });
    await call(base, "POST", "/api/invites", { cookie: cookies.admin, body: { role: "labeler", expiresInHours: 1 } });
    const db = new Database(app.dbFile, { readonly: true });
    const col = (sql: string) => (db.prepare(sql).all() as { id: string }[]).map((r) => r.id);
    ids.experiment = col(`SELECT id FROM "Experiment"`);
    ids.pair = col(`SELECT id FROM "Pair" LIMIT 20`);
    ids.round = col(`SELECT id FROM "TrainingRound"`);
    ids.user = col(`SELECT id FROM "User"`);
    ids.invite = col(`SELECT id FROM "Invite"`);
    db.close();
  });
  afterAll(async () => app?.close());

  it(`${REQUESTS} seeded requests: no 5xx, no hang, no write on refusal`, async () => {
    const rng = seedrandom.alea(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
    const chance = (p: number) => rng() < p;
    const int = (n: number) => Math.floor(rng() * n);

    const routes = templates("route.ts").map((p) => `/api${p.replace(/^\/api/, "")}`);
    const pages = templates("page.tsx");
    const garbagePaths = [
      "/api",
      "/api/",
      "/api/nope",
      "/api//experiments",
      "/api/experiments/../users",
      "/.env",
      "/_next/../../etc/passwd",
      "/%2e%2e/%2e%2e/",
      "/api/experiments?%",
      "/favicon.ico",
      "/api/auth",
      "/" + "a".repeat(3000),
    ];
    const realIds = () => Object.values(ids).flat();
    const garbageIds = [
      "%FF%FE",
      "%00",
      "..",
      "%2F",
      "%C0%AF",
      "demo",
      "' OR 1=1 --",
      "<script>",
      "a".repeat(70),
      "%E2%80%AE",
      "0",
      "-1",
      "null",
      "%",
      "x%20y",
      encodeURIComponent("ü名"),
    ];
    const idFor = () => (chance(0.5) && realIds().length ? pick(realIds()) : chance(0.5) ? randomUUID() : pick(garbageIds));
    const fillPath = (template: string) => template.replace(/\[[^\]]+\]/g, () => idFor());

    const METHODS = ["GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "PURGE"];
    const FIELDS = [
      "name",
      "password",
      "role",
      "labelId",
      "choice",
      "responseMs",
      "labellingMode",
      "status",
      "episodes",
      "token",
      "currentPassword",
      "newPassword",
      "everywhere",
      "expiresInHours",
      "disabled",
      "maze",
      "preset",
      "seed",
      "pairId",
      "experiment",
      "next",
    ];
    const anyValue = (depth = 0): unknown => {
      const k = int(depth > 2 ? 7 : 10);
      if (k === 0) return null;
      if (k === 1) return chance(0.5);
      if (k === 2) return pick([0, -1, 1, 1e308, -1e308, 2 ** 53, 0.5, 86_400_001, 1e11]);
      if (k === 3)
        return pick([
          "",
          " admin",
          "Admin",
          "admin",
          "<img src=x onerror=alert(1)>",
          "left",
          "right",
          "skip",
          "labeler",
          "researcher",
          "admin",
          "human",
          "synthetic",
          "x".repeat(300),
          "\u0000",
          "%FF",
          "../../",
        ]);
      if (k === 4) return randomUUID();
      if (k === 5) return "a".repeat(int(80));
      if (k === 6) return pick(realIds().length ? realIds() : ["demo"]);
      if (k === 7) return Array.from({ length: int(4) }, () => anyValue(depth + 1));
      return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(FIELDS), anyValue(depth + 1)]));
    };
    const bodyFor = (): string | undefined => {
      const k = int(10);
      if (k === 0) return undefined;
      if (k === 1) return "";
      if (k === 2) return pick(["{", "null", "[]", '"x"', "1e999", '{"a":', "not json", "\u0000\u0001"]);
      if (k === 3) return JSON.stringify({ x: "y".repeat(70 * 1024) }); // over the 64 KiB limit
      if (k === 4) return "[".repeat(5000) + "]".repeat(5000);
      return JSON.stringify(Object.fromEntries(Array.from({ length: int(6) }, () => [pick(FIELDS), anyValue()])));
    };
    const tampered = () => {
      const c = pick([cookies.admin, cookies.labeler]);
      const i = c.indexOf("=") + 1 + int(c.length - c.indexOf("=") - 1);
      return c.slice(0, i) + (c[i] === "A" ? "B" : "A") + c.slice(i + 1);
    };
    const cookieFor = (): [string, string | undefined] => {
      const who = pick(["anon", "labeler", "researcher", "admin", "admin", "tampered"]);
      if (who === "anon") return [who, chance(0.2) ? "oprl_session=garbage" : undefined];
      if (who === "tampered") return [who, tampered()];
      return [who, cookies[who]];
    };
    const headersFor = (hasBody: boolean): Record<string, string> => {
      const h: Record<string, string> = {};
      const origin = int(8);
      if (origin < 4) h.origin = base;
      else if (origin === 4) h.origin = "http://evil.example";
      else if (origin === 5) h.origin = "null";
      else if (origin === 6) h["sec-fetch-site"] = pick(["same-origin", "cross-site", "same-site", "none"]);
      if (hasBody || chance(0.3))
        h["content-type"] = pick([
          "application/json",
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=z",
          "application/merge-patch+json",
        ]);
      if (chance(0.2)) h["x-forwarded-host"] = pick(["evil.example", new URL(base).host]);
      if (chance(0.1)) h["x-forwarded-proto"] = "https";
      if (chance(0.1)) h["x-forwarded-for"] = `198.51.100.${int(255)}`;
      if (chance(0.1)) h.accept = pick(["text/html", "application/json", "*/*"]);
      if (chance(0.05)) h["content-length"] = pick(["999999999", "-1", "abc"]);
      if (chance(0.05)) h.host = pick(["evil.example", "", "a b"]);
      return h;
    };

    const db = new Database(app.dbFile, { readonly: true });
    const byClass: Record<string, number> = {};
    const byMethod: Record<string, Record<string, number>> = {};
    const fives: string[] = [];
    const hangs: string[] = [];
    const writes: string[] = [];
    let refusedChecked = 0;
    const started = Date.now();
    try {
      for (let n = 0; n < REQUESTS; n++) {
        // Fresh sessions now and then: a fuzzed "sign out everywhere" or password change may have ended one.
        if (n > 0 && n % 500 === 0) {
          for (const role of ["labeler", "researcher"]) cookies[role] = await signIn(base, `fuzz-${role}`, `fuzz-${role}-pass`).catch(() => cookies[role]);
          cookies.admin = await signIn(base, "admin", ADMIN_PASSWORD).catch(() => cookies.admin);
        }
        const method = pick(METHODS);
        const k = int(20);
        const target = k < 13 ? fillPath(pick(routes)) : k < 17 ? fillPath(pick(pages)) : pick(garbagePaths);
        const query = chance(0.3) ? `?${pick(["experiment", "next", "x", "%FF", "limit"])}=${pick([...garbageIds, "demo", "/%09/evil.example"])}` : "";
        const body = ["GET", "HEAD", "TRACE"].includes(method) && chance(0.9) ? undefined : bodyFor();
        const [who, cookie] = cookieFor();
        const headers = headersFor(body !== undefined);
        if (cookie) headers.cookie = cookie;
        const label = `${method} ${target}${query} as ${who}`;
        const before = rowCounts(db);
        let status = -1;
        let cls: string;
        try {
          // Only what can go on a request line: spaces and controls percent-encoded, the rest (even "%FF") as is.
          const line = (target + query).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
          status = (await raw(base, method, line, { headers, body, timeoutMs: TIMEOUT_MS })).status;
          cls = `${Math.floor(status / 100)}xx`;
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code === "HANG") hangs.push(label);
          // The server may close the connection on a body it will not read (over the limit): not an answer, not a fault.
          else if (e.code !== "ECONNRESET" && e.code !== "EPIPE") throw err;
          cls = e.code === "HANG" ? "hang" : "reset";
        }
        byClass[cls] = (byClass[cls] ?? 0) + 1;
        (byMethod[method] ??= {})[cls] = (byMethod[method][cls] ?? 0) + 1;
        if (status >= 500) fives.push(`${status} ${label}`);
        if (cls === "reset") {
          // No answer was read: whatever the request did is unknown. Let it finish, and start from what is there.
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        if (status < 200 || status >= 300) {
          refusedChecked++;
          const after = rowCounts(db);
          for (const [table, count] of Object.entries(after)) {
            if (count !== before[table]) writes.push(`${label} -> ${status}: ${table} ${before[table]} -> ${count}`);
          }
        }
      }
    } finally {
      db.close();
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `[fuzz] seed ${SEED}: ${REQUESTS} requests in ${seconds.toFixed(0)} s; by status class ${JSON.stringify(byClass)}; refused and checked for writes: ${refusedChecked}\n` +
        Object.entries(byMethod)
          .map(([m, c]) => `[fuzz]   ${m.padEnd(8)} ${JSON.stringify(c)}`)
          .join("\n"),
    );
    expect(fives, fives.slice(0, 20).join("\n")).toEqual([]);
    expect(hangs, hangs.slice(0, 20).join("\n")).toEqual([]);
    expect(writes, writes.slice(0, 20).join("\n")).toEqual([]);
    expect(Object.values(byClass).reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(app.server.logs.join("\n")).not.toMatch(/HTTP method is unsupported|URIError/);
  });
});
