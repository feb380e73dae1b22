// npm run loadtest [-- --duration 60 --connections 50 --pairs 20000 --no-write]
// npm run loadtest -- --flood [--duration 60 --connections 40 --trust-proxy 1 --no-write]
// npm run loadtest -- --scenario pg-instances [--duration 60 --connections 50 --pairs 100000 --pg-port 55490 --slow-start 5 --no-write]
// npm run loadtest -- --url http://host:3000 [--url http://host2:3000 | --url a,b] [--admin-name admin]
//   [--admin-password PW | env LOADTEST_ADMIN_PASSWORD] [--database-url URL] [--pid PID ...] [--duration --connections --pairs]
//
// --url: the labellers against servers already running (spread round robin over the URLs). With --database-url the
// experiment, its pairs and the labeller accounts are written straight into that database, and afterwards every
// acknowledged label is looked up there; without it an admin (--admin-name / --admin-password) creates the accounts
// and an experiment through the API and starts a round (at most 500 pairs; a worker must run). --pid (one per URL,
// same order) names each server's process, whose CPU time (with its children's) is read from /proc; the database's
// CPU is read from /proc when it is a PostgreSQL server on this machine. See scripts/load/.
//
// --scenario pg-instances: 1 then 2 instances on one PostgreSQL database, then restarts under load, back in rotation
// once ready, with a slow start of --slow-start seconds and then all at once (see scripts/load/pg-instances.ts);
// writes the bench:load-pg section of BENCHMARKS.md.
//
// --flood: a signed-out flood instead. --connections attackers send sign-ins with wrong passwords and invites with
// unknown tokens as fast as answers come, each from a new X-Forwarded-For, while one signed-in user calls
// GET /api/me (its p50/p95 are the figure: target p95 < 200 ms) and one labeller labels. With --trust-proxy 1 (the
// default here) the server believes the rotating addresses, as behind a proxy, so no per-address throttle helps:
// the worst case for the password-hash cap. --trust-proxy 0 shows the default deployment, where they are ignored.
//
// Many labellers at once against the built app (`next start` + its worker, SQLite in a temp file, loopback only):
// each autocannon connection is one labeller with its own account and session cookie. A labeller takes a pair
// (POST /api/label/next), then labels it (POST /api/pairs/:id/label, which answers with the next leased pair),
// with no think time, for --duration seconds. Reports throughput, p50/p95/p99 latency per endpoint, errors, and
// labels stored (read back from the database file after the server stopped) against labels acknowledged.
// Writes the section between <!-- bench:load:start --> and <!-- bench:load:end --> in BENCHMARKS.md.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { machineInfo, writeBenchmarkSection } from "../lib/cli/benchmarks-file";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import seedrandom from "seedrandom";
import { z } from "zod";
import { ensureBuild, freePort, signIn, startServer } from "./app-server";
import { seedLabelling } from "./seed-labelling";
import { pgInstances } from "./load/pg-instances";
import { loadRunningServers } from "./load/remote";

const flagsSchema = z.object({
  duration: z.coerce.number().int().min(1).max(3600).default(60),
  connections: z.coerce.number().int().min(1).max(500).default(50),
  pairs: z.coerce.number().int().min(100).max(500_000).optional(),
  write: z.boolean().default(true),
  flood: z.boolean().default(false),
  "trust-proxy": z.coerce.number().int().min(0).max(10).default(1),
  scenario: z.enum(["pg-instances"]).optional(),
  "pg-port": z.coerce.number().int().min(1024).max(65535).default(55490),
  // The restarted instance's slow start (pg-instances). 5 s: long enough that its first requests meet a few labellers
  // rather than all of them, short beside the restart itself (about 8 s), so capacity is back soon.
  "slow-start": z.coerce.number().min(0).max(120).default(5),
  url: z.array(z.url({ protocol: /^https?$/, error: "an http:// or https:// address" })).default([]),
  pid: z.array(z.coerce.number().int().min(1)).default([]),
  "database-url": z.string().min(1).optional(),
  "admin-name": z
    .string()
    .min(1)
    .default(process.env.LOADTEST_ADMIN_NAME ?? "admin"),
  "admin-password": z.string().min(1).optional(),
});

const VALUE_FLAGS = ["duration", "connections", "pairs", "trust-proxy", "scenario", "pg-port", "slow-start", "database-url", "admin-name", "admin-password"];
const LIST_FLAGS = ["url", "pid"];

function parseFlags(argv: string[]) {
  const raw: Record<string, unknown> = { url: [], pid: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.slice(2);
    if (a === "--no-write") raw.write = false;
    else if (a === "--flood") raw.flood = true;
    else if (a === "--help") {
      console.log(
        "npm run loadtest -- [--duration SECONDS=60] [--connections N=50] [--pairs N=20000] [--no-write] [--flood [--trust-proxy N=1]]\n" +
          "  [--scenario pg-instances [--pg-port 55490] [--slow-start SECONDS=5]] [--url URL ... [--database-url URL] [--admin-name NAME] [--admin-password PW] [--pid PID ...]]",
      );
      process.exit(0);
    } else if (a.startsWith("--") && LIST_FLAGS.includes(name) && i + 1 < argv.length)
      (raw[name] as string[]).push(
        ...argv[++i]
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      );
    else if (a.startsWith("--") && VALUE_FLAGS.includes(name) && i + 1 < argv.length) raw[name] = argv[++i];
    else {
      console.error(`unknown flag ${a} (see --help)`);
      process.exit(2);
    }
  }
  raw["admin-password"] ??= process.env.LOADTEST_ADMIN_PASSWORD;
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
    process.exit(2);
  }
  return parsed.data;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), p99: quantile(s, 0.99), max: s[s.length - 1] ?? NaN };
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.flood) return flood(flags);
  if (flags.scenario === "pg-instances") {
    const ok = await pgInstances({
      pairs: flags.pairs ?? 100_000,
      connections: flags.connections,
      duration: flags.duration,
      pgPort: flags["pg-port"],
      slowStartS: flags["slow-start"],
      write: flags.write,
    });
    process.exit(ok ? 0 : 1);
  }
  if (flags.url.length) {
    const ok = await loadRunningServers({
      urls: flags.url,
      pids: flags.pid,
      databaseUrl: flags["database-url"],
      admin: { name: flags["admin-name"], password: flags["admin-password"] },
      pairs: flags.pairs ?? 20_000,
      connections: flags.connections,
      duration: flags.duration,
    });
    process.exit(ok ? 0 : 1);
  }
  const pairs = flags.pairs ?? 20_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), "oprl-load-"));
  const dbFile = path.join(dir, "load.db");
  process.env.DATABASE_URL = `file:${dbFile}`;
  ensureBuild();

  const t0 = performance.now();
  console.log(`[load] seeding ${pairs} pairs and ${flags.connections} labeller accounts…`);
  const { experimentId, labellers } = await seedLabelling({ pairs, users: flags.connections, prefix: "load" });
  const seedSeconds = (performance.now() - t0) / 1000;

  const port = await freePort();
  const server = await startServer({
    port,
    databaseUrl: `file:${dbFile}`,
    env: { ADMIN_PASSWORD: randomUUID(), SESSION_SECRET: randomUUID() + randomUUID() },
  });
  const acked = new Map<string, string>();
  const latency = { next: [] as number[], label: [] as number[] };
  const errors = new Map<string, number>();
  let emptyQueue = 0;
  let result: autocannon.Result;
  let signInSeconds = 0;
  try {
    const t1 = performance.now();
    const cookies: string[] = [];
    for (const l of labellers) cookies.push(await signIn(server.base, l.name, l.password));
    signInSeconds = (performance.now() - t1) / 1000;
    console.log(`[load] ${cookies.length} labellers signed in (${signInSeconds.toFixed(1)} s); ${flags.connections} connections for ${flags.duration} s…`);

    let nextClient = 0;
    result = await autocannon({
      url: server.base,
      connections: flags.connections,
      duration: flags.duration,
      pipelining: 1,
      timeout: 20,
      // One labeller per connection: its cookie and its state live in this closure (autocannon's own
      // context is reset every time the request list wraps around).
      setupClient: (client: any) => {
        const who = labellers[nextClient % labellers.length].name;
        const cookie = cookies[nextClient++ % cookies.length];
        const state = { pairId: null as string | null, labelId: "", kind: "next" as "next" | "label", sentAt: 0 };
        client.setRequests([
          {
            setupRequest: (r: any) => {
              state.sentAt = performance.now();
              const headers = { ...r.headers, cookie, "content-type": "application/json", origin: server.base };
              if (state.pairId) {
                state.kind = "label";
                state.labelId = randomUUID();
                const body = JSON.stringify({ labelId: state.labelId, choice: Math.random() < 0.5 ? "left" : "right", responseMs: 1500 });
                return { ...r, method: "POST", path: `/api/pairs/${state.pairId}/label`, headers, body };
              }
              state.kind = "next";
              return { ...r, method: "POST", path: "/api/label/next", headers, body: JSON.stringify({ experimentId }) };
            },
            onResponse: (status: number, body: string) => {
              latency[state.kind].push(performance.now() - state.sentAt);
              const ok = state.kind === "label" ? status === 201 : status === 200;
              if (!ok) {
                const key = `${state.kind} ${status}`;
                errors.set(key, (errors.get(key) ?? 0) + 1);
                state.pairId = null;
                return;
              }
              const parsed = JSON.parse(body);
              if (state.kind === "label") {
                acked.set(state.labelId, who);
                state.pairId = parsed.next.pair?.pairId ?? null;
              } else {
                state.pairId = parsed.pair?.pairId ?? null;
              }
              if (!state.pairId) emptyQueue++;
            },
          },
        ]);
      },
    });
  } finally {
    await server.stop();
  }

  // Read back from the file, with the server stopped.
  const db = new Database(dbFile, { readonly: true });
  const stored = new Map(
    (db.prepare("SELECT l.id, u.name FROM Label l JOIN User u ON u.id = l.userId WHERE u.name LIKE 'load-%'").all() as { id: string; name: string }[]).map(
      (r) => [r.id, r.name],
    ),
  );
  const duplicates = (db.prepare("SELECT COUNT(*) AS n FROM (SELECT pairId FROM Label GROUP BY pairId HAVING COUNT(*) > 1)").get() as { n: number }).n;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const missing = [...acked.keys()].filter((id) => !stored.has(id)).length;
  const misattributed = [...acked].filter(([id, who]) => stored.has(id) && stored.get(id) !== who).length;

  const all = stats([...latency.next, ...latency.label]);
  const next = stats(latency.next);
  const label = stats(latency.label);
  const requests = latency.next.length + latency.label.length;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0) + result.errors + result.timeouts;
  const report = {
    duration_s: flags.duration,
    connections: flags.connections,
    requests,
    requests_per_s: requests / flags.duration,
    labels_acknowledged: acked.size,
    labels_per_s: acked.size / flags.duration,
    labels_stored: stored.size,
    acknowledged_missing: missing,
    misattributed,
    duplicates,
    errors: Object.fromEntries(errors),
    socket_errors: result.errors,
    timeouts: result.timeouts,
    empty_queue_answers: emptyQueue,
    latency_ms: { all, next, label },
    autocannon_latency_ms: { p50: result.latency.p50, p99: result.latency.p99 },
  };
  console.log(JSON.stringify(report));

  const m = machineInfo();
  const section = [
    "## Load: many labellers over HTTP (`npm run loadtest`)",
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; Node ${m.node}; run ${m.date} (load average 1/5/15 min at the end: ${m.load}).`,
    "",
    `Setup: the production build (\`next start\`, its training worker idle beside it) on loopback, SQLite (WAL) in a temp file holding one human-labelled experiment with ${pairs.toLocaleString("en")} open pairs (k = 1), seeded in ${seedSeconds.toFixed(0)} s. ${flags.connections} labeller accounts, each signed in with its own password (bcrypt cost 12; ${flags.connections} sign-ins took ${signInSeconds.toFixed(1)} s) and session cookie. autocannon runs ${flags.connections} connections for ${flags.duration} s, one labeller per connection: POST /api/label/next once, then POST /api/pairs/:id/label again and again (each answer leases the next pair), no think time. Client and server share the machine's cores.`,
    "",
    "| requests | requests/s | labels acknowledged | labels/s | errors | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    `| ${requests} | ${f1(report.requests_per_s)} | ${acked.size} | ${f1(report.labels_per_s)} | ${errorCount} | ${f1(all.p50)} ms | ${f1(all.p95)} ms | ${f1(all.p99)} ms | ${f1(all.max)} ms |`,
    "",
    "| endpoint | requests | p50 | p95 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- |",
    `| POST /api/label/next | ${next.n} | ${f1(next.p50)} ms | ${f1(next.p95)} ms | ${f1(next.p99)} ms | ${f1(next.max)} ms |`,
    `| POST /api/pairs/:id/label (label + next lease) | ${label.n} | ${f1(label.p50)} ms | ${f1(label.p95)} ms | ${f1(label.p99)} ms | ${f1(label.max)} ms |`,
    "",
    `Labels stored vs acknowledged: **${stored.size} stored, ${acked.size} acknowledged; ${missing} acknowledged labels missing**, ${misattributed} stored under another account, ${duplicates} pairs labelled twice (k = 1); ${stored.size - acked.size + missing} stored without an acknowledgement (requests in flight when the run ended). Errors: ${errors.size ? [...errors].map(([k, v]) => `${k}: ${v}`).join(", ") : "none"}; socket errors ${result.errors}, timeouts ${result.timeouts}; answers with no pair left: ${emptyQueue}.`,
    "",
    "Notes:",
    "- Latency is measured per request by the client (request built to response parsed), on loopback; autocannon's own p50 / p99 for all requests: " +
      `${f1(result.latency.p50)} / ${f1(result.latency.p99)} ms.`,
    "- Every request goes through the session check (cookie unsealed, account read) and the queue's lease rules; a label is accepted only for the pair leased to that account.",
    `- Throughput is bound by the work each POST does under SQLite's single connection: record the label, lease the next pair, peek at the one after it, count the queue. With no think time the labellers queue behind each other: ${flags.connections} connections / ${f1(report.labels_per_s)} labels per s ≈ ${f1(flags.connections / Math.max(report.labels_per_s, 1e-9))} s, the p50 above. People spend seconds on each replay: at 5 s a pair, ${flags.connections} of them send about ${f1(flags.connections / 5)} labels/s.`,
  ].join("\n");
  if (flags.write) {
    const file = writeBenchmarkSection("load", section);
    console.log(`[load] wrote the load section of ${file}`);
  }
  if (missing > 0 || misattributed > 0 || duplicates > 0) process.exit(1);
}

// The flood's attackers, on a worker thread: `connections` loops, each sending one request after another until
// `ms` is over, alternating sign-ins (a quarter at the real account, the rest at made-up names) and invites with
// unknown tokens, each from a new X-Forwarded-For (a seeded generator). Posts the answers' counts at the end.
const ATTACKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { randomUUID } = require("node:crypto");
const seedrandom = require("seedrandom");
const { base, connections, ms, realName } = workerData;
const rand = seedrandom("flood-attackers");
const address = () => "10." + Math.floor(rand() * 256) + "." + Math.floor(rand() * 256) + "." + (Math.floor(rand() * 254) + 1);
const statuses = {};
const count = (k) => (statuses[k] = (statuses[k] || 0) + 1);
const until = Date.now() + ms;
let seq = 0;
async function attacker(i) {
  while (Date.now() < until) {
    const n = seq++;
    const invite = n % 2 === 1;
    const body = invite
      ? { token: randomUUID().replaceAll("-", ""), name: "flood-new-" + i, password: "wrong-password-123" }
      : { name: n % 4 === 0 ? realName : "nobody-" + n, password: "wrong-password-123" };
    const kind = invite ? "invite" : "sign-in";
    try {
      const res = await fetch(base + "/api/auth/" + kind, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base, "x-forwarded-for": address() },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      count(kind + " " + res.status);
    } catch {
      count(kind + " socket error");
    }
  }
}
Promise.all(Array.from({ length: connections }, (_, i) => attacker(i))).then(() => parentPort.postMessage({ statuses, requests: seq }));
`;

/** The signed-out flood (see the top of the file). */
async function flood(flags: ReturnType<typeof parseFlags>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oprl-flood-"));
  const dbFile = path.join(dir, "flood.db");
  process.env.DATABASE_URL = `file:${dbFile}`;
  ensureBuild();
  const pairs = Math.min(flags.pairs ?? 5000, 5000);
  console.log(`[flood] seeding ${pairs} pairs and 2 accounts…`);
  const { experimentId, labellers } = await seedLabelling({ pairs, users: 2, prefix: "flood" });
  const server = await startServer({
    port: await freePort(),
    databaseUrl: `file:${dbFile}`,
    env: { ADMIN_PASSWORD: randomUUID(), SESSION_SECRET: randomUUID() + randomUUID(), TRUST_PROXY: String(flags["trust-proxy"]) },
  });
  const [meUser, labeller] = labellers;
  const statuses = new Map<string, number>();
  const me: number[] = [];
  const meBaseline: number[] = [];
  const meErrors: number[] = [];
  const labelMs: number[] = [];
  let labels = 0;
  let labelErrors = 0;
  let floodRequests = 0;
  const rand = seedrandom("flood");
  try {
    const meCookie = await signIn(server.base, meUser.name, meUser.password);
    const labelCookie = await signIn(server.base, labeller.name, labeller.password);
    const base = server.base;
    // First the same user alone (with the labeller), for a baseline on this machine as busy as it is now.
    const baselineUntil = performance.now() + Math.min(10, flags.duration / 3) * 1000;
    while (performance.now() < baselineUntil) {
      const t = performance.now();
      const res = await fetch(`${base}/api/me`, { headers: { cookie: meCookie } });
      await res.arrayBuffer();
      if (res.status === 200) meBaseline.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    const until = performance.now() + flags.duration * 1000;
    console.log(`[flood] ${flags.connections} attackers for ${flags.duration} s (TRUST_PROXY=${flags["trust-proxy"]}), one user on GET /api/me, one labeller…`);

    // The attackers run on a thread of their own, so handling their answers never delays the user's measurements.
    const attackers = new Worker(ATTACKER_SOURCE, {
      eval: true,
      workerData: { base, connections: flags.connections, ms: until - performance.now(), realName: meUser.name },
    });
    const attacked = new Promise<void>((resolve, reject) => {
      attackers.once("message", (m: { statuses: Record<string, number>; requests: number }) => {
        for (const [k, v] of Object.entries(m.statuses)) statuses.set(k, v);
        floodRequests = m.requests;
        resolve();
      });
      attackers.once("error", reject);
    });

    const watcher = async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const res = await fetch(`${base}/api/me`, { headers: { cookie: meCookie } });
        await res.arrayBuffer();
        (res.status === 200 ? me : meErrors).push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const labelling = async () => {
      let pairId: string | null = null;
      while (performance.now() < until) {
        const t = performance.now();
        const headers = { cookie: labelCookie, "content-type": "application/json", origin: base };
        const res: Response = pairId
          ? await fetch(`${base}/api/pairs/${pairId}/label`, {
              method: "POST",
              headers,
              body: JSON.stringify({ labelId: randomUUID(), choice: rand() < 0.5 ? "left" : "right", responseMs: 1500 }),
            })
          : await fetch(`${base}/api/label/next`, { method: "POST", headers, body: JSON.stringify({ experimentId }) });
        const parsed = await res.json().catch(() => null);
        labelMs.push(performance.now() - t);
        const ok = pairId ? res.status === 201 : res.status === 200;
        if (!ok) {
          labelErrors++;
          pairId = null;
          continue;
        }
        if (pairId) labels++;
        pairId = (pairId ? parsed?.next?.pair?.pairId : parsed?.pair?.pairId) ?? null;
        // A person's pace: a label every 200 ms at most.
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    await Promise.all([attacked, watcher(), labelling()]);
    await attackers.terminate();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const meStats = stats(me);
  const baseStats = stats(meBaseline);
  const labelStats = stats(labelMs);
  const report = {
    duration_s: flags.duration,
    attackers: flags.connections,
    trust_proxy: flags["trust-proxy"],
    flood_requests: floodRequests,
    flood_per_s: floodRequests / flags.duration,
    flood_answers: Object.fromEntries([...statuses].sort()),
    me_ms: meStats,
    me_baseline_ms: baseStats,
    me_errors: meErrors.length,
    labels,
    label_errors: labelErrors,
    label_request_ms: labelStats,
  };
  console.log(JSON.stringify(report));
  const m = machineInfo();
  const pass = meStats.p95 < 200 && labels > 0;
  const section = [
    `## Signed-out flood (\`npm run loadtest -- --flood\`, TRUST_PROXY=${flags["trust-proxy"]})`,
    "",
    `Machine: ${m.cpu}, ${m.cores} cores; Node ${m.node}; run ${m.date} (load average at the end: ${m.load}).`,
    "",
    `Setup: the production build on loopback, SQLite, bcrypt cost 12, the default hash cap (${Math.max(1, Math.floor(os.availableParallelism() / 2))} at once, 32 waiting). ${flags.connections} attackers send, back to back for ${flags.duration} s, sign-ins with wrong passwords (a quarter at a real account, the rest at made-up names) and invites with unknown tokens, each from a new random X-Forwarded-For${flags["trust-proxy"] > 0 ? ", which the server believes (TRUST_PROXY=" + flags["trust-proxy"] + ": the worst case, as if each came through a trusted proxy from a different client)" : ", which the server ignores (TRUST_PROXY=0, the default)"}. Meanwhile a signed-in user calls GET /api/me every 50 ms and a labeller takes and labels a pair every 200 ms. Attackers, user and server share the machine's cores. The 429s are answered before Next by the node guard (lib/server/http/node-guard.ts) once the database throttle holds the address, while the hash pool is full, or beyond AUTH_REQUESTS_PER_SECOND (20/s per process).`,
    "",
    "| flood requests | per s | answers | GET /api/me n | p50 | p95 | p99 | max | /api/me errors | labels | label errors |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    `| ${floodRequests} | ${f1(report.flood_per_s)} | ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(", ")} | ${meStats.n} | ${f1(meStats.p50)} ms | ${f1(meStats.p95)} ms | ${f1(meStats.p99)} ms | ${f1(meStats.max)} ms | ${meErrors.length} | ${labels} | ${labelErrors} |`,
    "",
    `Before the flood, the same GET /api/me alone: n ${baseStats.n}, p50 ${f1(baseStats.p50)} ms, p95 ${f1(baseStats.p95)} ms (the machine's own load).`,
    "",
    `Target GET /api/me p95 < 200 ms with labelling going on: **${pass ? "met" : "NOT met"}**. Labelling requests (take + label): p50 ${f1(labelStats.p50)} ms, p95 ${f1(labelStats.p95)} ms.`,
  ].join("\n");
  if (flags.write) console.log(`[flood] wrote ${writeBenchmarkSection(`flood-tp${flags["trust-proxy"]}`, section)}`);
  if (!pass) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
