// The label path's queries on PostgreSQL with 100,000 pairs stored: `npm run bench:queue [-- --pg URL] [--pairs N] [--no-write]`.
//
// On a fresh database (TEST_POSTGRES_URL or --pg names the server): seeds N pairs (60% done with a label each, the
// rest open, k = 1) by bulk createMany, ANALYZEs, then
//   1. captures every SQL statement the label path sends (POST /api/label/next, POST /api/pairs/ID/label,
//      GET /api/label/queue, GET /api/label/targets: the same functions the routes call) from Prisma's query log, and
//      the statements the previous code sent for its counts and its candidate read (the same Prisma calls), and
//      prints EXPLAIN (ANALYZE, BUFFERS) of each (writes inside a rolled-back transaction);
//   2. times the database per request (the sum of Prisma's query durations) over repeated calls.
// Writes its section of BENCHMARKS.md between the bench:queue markers (unless --no-write).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/postgresql/client";
import { machineInfo, writeBenchmarkSection } from "../lib/cli/benchmarks-file";
import { openDb, type Db } from "../lib/server/db/client";
import { uuidv7 } from "../lib/server/db/ids";
import { ensureDemoOnce, DEMO_EXPERIMENT_ID } from "../lib/server/experiments/demo";
import { insertTrajectories, type TrajectoryInput } from "../lib/server/labelling/pairs";
import { labelAndNext, labelTargets, next, queueStatus } from "../lib/server/labelling/labelling";
import { openForUser, QUEUE_ORDER } from "../lib/server/labelling/views";
import { throwawayPostgres } from "./throwaway-db";
import { countPgRoundTrips } from "./pg-round-trips";
import { parseArgs as parseCli } from "node:util";
import { z } from "zod";

type Options = { pgUrl?: string; pairs: number; requests: number; write: boolean };
/** A flag's count: a positive whole number. */
const COUNT = z.coerce.number().int().positive();

function parseArgs(argv: string[]): Options {
  const { values } = parseCli({
    args: argv,
    strict: true,
    options: { pg: { type: "string" }, pairs: { type: "string" }, requests: { type: "string" }, "no-write": { type: "boolean" } },
  });
  return z
    .object({ pgUrl: z.string().min(1).optional(), pairs: COUNT.default(100_000), requests: COUNT.default(150), write: z.boolean() })
    .parse({ pgUrl: values.pg ?? (process.env.TEST_POSTGRES_URL || undefined), pairs: values.pairs, requests: values.requests, write: !values["no-write"] });
}

const USERS = 50;
const DONE_SHARE = 0.6;
const TRAJECTORIES = 2000;
/** Open pairs near the top of the queue each measured user has skipped (the queue must pass over them). */
const SKIPS_PER_USER = 20;

type Captured = { phase: string; query: string; params: unknown[]; duration: number };

/** A client like openDb's, with Prisma's query log on: every statement, its parameters and its duration. */
function loggingClient(url: string, sink: (q: Omit<Captured, "phase">) => void): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), log: [{ emit: "event", level: "query" }] });
  (client as unknown as { $on: (e: "query", cb: (e: { query: string; params: string; duration: number }) => void) => void }).$on("query", (e) =>
    sink({ query: e.query, params: JSON.parse(e.params) as unknown[], duration: Number(e.duration) }),
  );
  return client as unknown as Db;
}

function steps(n: number, seed: number): TrajectoryInput {
  return {
    round: 0,
    policyVersion: 0,
    actions: Array.from({ length: n }, (_, i) => (i * 7 + seed) % 4),
    cells: Array.from({ length: n + 1 }, (_, i) => (i * 13 + seed) % 64),
    rewards: Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : -0.01)),
    success: seed % 3 !== 0,
  };
}

async function seed(db: Db, pairs: number) {
  const t0 = performance.now();
  await ensureDemoOnce(db); // the label path makes it on first use; made now so it is not timed
  const demo = await db.experiment.findUniqueOrThrow({ where: { id: DEMO_EXPERIMENT_ID } });
  const experiment = await db.experiment.create({
    data: { name: "bench-queue", config: demo.config, labellingMode: "human", labelsPerPair: 1, status: "active" },
  });
  const users = Array.from({ length: USERS }, (_, i) => ({ id: uuidv7(), name: `bench-queue-${i}` }));
  await db.user.createMany({ data: users });
  const trajectoryIds = await insertTrajectories(
    db,
    experiment.id,
    Array.from({ length: TRAJECTORIES }, (_, i) => steps(10 + (i % 21), i)),
  );
  const start = Date.now() - pairs;
  const CHUNK = 5000;
  for (let from = 0; from < pairs; from += CHUNK) {
    const rows: Array<{
      id: string;
      experimentId: string;
      leftId: string;
      rightId: string;
      selection: string;
      priority: number;
      status: "done" | "open";
      labelsDone: number;
      createdAt: Date;
    }> = [];
    const labels: Array<{ id: string; pairId: string; source: "human"; userId: string; choice: "left" | "right" | "equal"; responseMs: number }> = [];
    const leases: Array<{ id: string; pairId: string; slot: number; userId: string; expiresAt: Date; labelId: string }> = [];
    for (let i = from; i < Math.min(pairs, from + CHUNK); i++) {
      const done = i < pairs * DONE_SHARE;
      const id = uuidv7(start + i);
      rows.push({
        id,
        experimentId: experiment.id,
        leftId: trajectoryIds[(2 * i) % TRAJECTORIES],
        rightId: trajectoryIds[(2 * i + 1) % TRAJECTORIES],
        selection: "random",
        priority: ((i * 7919) % 100_003) / 100_003, // spread, deterministic
        status: done ? ("done" as const) : ("open" as const),
        labelsDone: done ? 1 : 0,
        createdAt: new Date(start + i),
      });
      if (done) {
        const labelId = uuidv7();
        const userId = users[i % USERS].id;
        labels.push({ id: labelId, pairId: id, source: "human" as const, userId, choice: (["left", "right", "equal"] as const)[i % 3], responseMs: 2000 });
        leases.push({ id: uuidv7(), pairId: id, slot: 0, userId, expiresAt: new Date(start + i), labelId });
      }
    }
    await db.$transaction(
      async (tx) => {
        await tx.pair.createMany({ data: rows });
        if (labels.length) await tx.label.createMany({ data: labels });
        if (leases.length) await tx.lease.createMany({ data: leases });
      },
      { maxWait: 30_000, timeout: 300_000 },
    );
  }
  // Each user has skipped some of the best open pairs: the queue's reads must pass over them.
  const top = await db.pair.findMany({
    where: { experimentId: experiment.id, status: "open" },
    orderBy: [...QUEUE_ORDER],
    take: SKIPS_PER_USER,
    select: { id: true },
  });
  await db.label.createMany({
    data: users.flatMap((u) =>
      top.map((p) => ({ id: uuidv7(), pairId: p.id, source: "human" as const, userId: u.id, choice: "skip" as const, responseMs: 900 })),
    ),
  });
  // The counters as the migration's backfill sets them (the app keeps them from then on).
  await db.$executeRawUnsafe(
    `UPDATE "Experiment" SET "openPairs" = (SELECT COUNT(*) FROM "Pair" p WHERE p."experimentId" = "Experiment"."id" AND p."status" = 'open')`,
  );
  await db.$executeRawUnsafe(`INSERT INTO "LabellerCount" ("experimentId", "userId", "labels")
    SELECT p."experimentId", l."userId", COUNT(*) FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId"
    WHERE l."userId" IS NOT NULL AND l."choice" <> 'skip' GROUP BY p."experimentId", l."userId"`);
  await db.$executeRawUnsafe("ANALYZE");
  return { experimentId: experiment.id, users: users.map((u) => u.id), seconds: (performance.now() - t0) / 1000 };
}

/** `indexOnly`: the scans with sequential scans disabled, when the chosen plan had one. */
type Plan = { phase: string; name: string; ms: number; scans: string[]; indexOnly: string[] | null; text: string };

// INSERTs are left out: they read no table (the label's one upsert reads its primary key), and replaying one that
// already ran would only hit its unique key.
const DML = /^\s*(SELECT|UPDATE|DELETE|WITH)\b/i;

/** A short name for a statement: its verb and the table it reads or writes first. */
function nameOf(query: string): string {
  const verb = query.trim().split(/\s+/)[0].toUpperCase();
  const table = /(?:FROM|INTO|UPDATE)\s+"public"\."(\w+)"/i.exec(query)?.[1] ?? /(?:FROM|INTO|UPDATE)\s+"(\w+)"/i.exec(query)?.[1] ?? "?";
  return `${verb} ${table}`;
}

const planText = (rows: Array<Record<string, string>>) => rows.map((r) => r["QUERY PLAN"]).join("\n");

/** The table reads of a plan: "Index Scan using X on T", "Seq Scan on T", ... */
function scansOf(text: string): string[] {
  const found = [
    ...text
      .replace(/"/g, "")
      .matchAll(/((?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)(?: Backward)?(?: using \w+)?(?: on \w+)?)/g),
  ];
  return [...new Set(found.map((m) => m[1]))];
}

async function explain(pool: pg.Pool, c: Captured): Promise<Plan> {
  const conn = await pool.connect();
  try {
    await conn.query("BEGIN");
    const res = await conn.query(`EXPLAIN (ANALYZE, BUFFERS) ${c.query}`, c.params);
    const text = planText(res.rows);
    const ms = Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN);
    let indexOnly: string[] | null = null;
    if (/Seq Scan/.test(text)) {
      // A sequential scan of a small table is the planner's cheapest choice, not a missing index: ask for the plan
      // with sequential scans off, which shows whether an index could serve the statement.
      await conn.query("SET LOCAL enable_seqscan = off");
      indexOnly = scansOf(planText((await conn.query(`EXPLAIN ${c.query}`, c.params)).rows));
    }
    await conn.query("ROLLBACK");
    return { phase: c.phase, name: nameOf(c.query), ms, scans: scansOf(text), indexOnly, text };
  } catch (err) {
    await conn.query("ROLLBACK").catch(() => {});
    throw new Error(`EXPLAIN failed for ${c.query}: ${(err as Error).message}`);
  } finally {
    conn.release();
  }
}

type Stats = { p50: number; p95: number; n: number };
function percentiles(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), n: sorted.length };
}
const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!options.pgUrl) throw new Error("PostgreSQL URL needed: --pg URL or TEST_POSTGRES_URL (scripts/pg-test.sh starts one)");
  const database = await throwawayPostgres(options.pgUrl, "benchq");
  const plain = await openDb(database.url, { poolSize: 10 }); // migrates
  let phase = "";
  const captured: Captured[] = [];
  let requestDbMs = 0;
  const db = loggingClient(database.url, (q) => {
    requestDbMs += q.duration;
    if (phase) captured.push({ phase, ...q });
  });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    console.log(`seeding ${options.pairs.toLocaleString("en")} pairs ...`);
    const s = await seed(plain, options.pairs);
    console.log(`seeded in ${s.seconds.toFixed(1)} s`);
    const exp = s.experimentId;
    const [u0, u1] = s.users;

    // Warm up (connections, Prisma's query plans), then capture one call of each path.
    await next(db, exp, u1);
    phase = "POST /api/label/next";
    const first = await next(db, exp, u0);
    phase = "POST /api/pairs/ID/label";
    await labelAndNext(db, first.pair!.pairId, { labelId: randomUUID(), choice: "left", responseMs: 1500, nextPairId: first.upcoming?.pairId }, u0);
    phase = "GET /api/label/queue";
    await queueStatus(db, exp, u0);
    phase = "GET /api/label/targets";
    await labelTargets(db);
    // What the previous code ran on each of those requests, through the same Prisma calls.
    phase = "before: queue counts (every label request)";
    await db.pair.count({ where: openForUser(exp, u0) });
    await db.label.count({ where: { userId: u0, pair: { experimentId: exp }, choice: { not: "skip" } } });
    phase = "before: candidate page (next)";
    await db.pair.findMany({
      where: openForUser(exp, u0),
      orderBy: [...QUEUE_ORDER],
      take: 32,
      select: { id: true, labelsWanted: true, leases: { select: { slot: true, userId: true, expiresAt: true, labelId: true } } },
    });
    phase = "before: targets counts";
    const eligible = { labellingMode: { not: "synthetic" as const }, status: { not: "archived" as const } };
    await db.pair.groupBy({
      by: ["experimentId"],
      where: { status: "open", experiment: eligible },
      _count: { experimentId: true },
      orderBy: { _count: { experimentId: "desc" } },
      take: 20,
    });
    await db.pair.groupBy({ by: ["experimentId"], where: { experimentId: { in: [exp, DEMO_EXPERIMENT_ID] }, status: "open" }, _count: { experimentId: true } });
    phase = "";

    const plans: Plan[] = [];
    const seen = new Set<string>();
    for (const c of captured) {
      if (!DML.test(c.query)) continue;
      const key = `${c.phase}\n${c.query}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const plan = await explain(pool, c);
      plans.push(plan);
      console.log(`\n=== ${plan.phase}: ${plan.name} (${f(plan.ms)} ms)\n${c.query}\n${plan.text}`);
      if (plan.indexOnly) console.log(`with enable_seqscan off: ${plan.indexOnly.join("; ")}`);
    }

    // Per-request database time: the sum of Prisma's durations of the statements one request sends.
    const timeRequests = async (n: number, fn: (i: number) => Promise<unknown>) => {
      const dbMs: number[] = [];
      const wall: number[] = [];
      const trips: number[] = [];
      for (let i = 0; i < n; i++) {
        requestDbMs = 0;
        const counter = countPgRoundTrips();
        const t0 = performance.now();
        try {
          await fn(i);
        } finally {
          counter.stop();
        }
        wall.push(performance.now() - t0);
        dbMs.push(requestDbMs);
        trips.push(counter.n);
      }
      return { db: percentiles(dbMs), wall: percentiles(wall), trips: percentiles(trips) };
    };
    const held = new Map<string, { pairId: string; upcoming?: string }>();
    for (const u of s.users) {
      const n = await next(db, exp, u);
      held.set(u, { pairId: n.pair!.pairId, upcoming: n.upcoming?.pairId });
    }
    const r = options.requests;
    const timings = {
      next: await timeRequests(r, (i) => next(db, exp, s.users[i % USERS])),
      label: await timeRequests(r, async (i) => {
        const u = s.users[i % USERS];
        const h = held.get(u)!;
        const res = await labelAndNext(db, h.pairId, { labelId: randomUUID(), choice: "right", responseMs: 1200, nextPairId: h.upcoming }, u);
        held.set(u, { pairId: res.next.pair!.pairId, upcoming: res.next.upcoming?.pairId });
      }),
      queue: await timeRequests(r, (i) => queueStatus(db, exp, s.users[i % USERS])),
      targets: await timeRequests(r, () => labelTargets(db)),
      oldCounts: await timeRequests(r, (i) =>
        Promise.all([
          db.pair.count({ where: openForUser(exp, s.users[i % USERS]) }),
          db.label.count({ where: { userId: s.users[i % USERS], pair: { experimentId: exp }, choice: { not: "skip" } } }),
        ]),
      ),
      oldTargets: await timeRequests(r, () =>
        Promise.all([
          db.pair.groupBy({
            by: ["experimentId"],
            where: { status: "open", experiment: eligible },
            _count: { experimentId: true },
            orderBy: { _count: { experimentId: "desc" } },
            take: 20,
          }),
          db.pair.groupBy({ by: ["experimentId"], where: { experimentId: { in: [exp, DEMO_EXPERIMENT_ID] }, status: "open" }, _count: { experimentId: true } }),
        ]),
      ),
    };
    const openNow = (await plain.experiment.findUniqueOrThrow({ where: { id: exp }, select: { openPairs: true } })).openPairs;
    const text = section(options, s.seconds, openNow, plans, timings, await serverVersion(pool));
    console.log(`\n${text}`);
    if (options.write) console.log(`\nwrote ${writeBenchmarkSection("queue", text)}`);
  } finally {
    await pool.end();
    await db.$disconnect();
    await plain.$disconnect();
    await database.drop();
  }
}

async function serverVersion(pool: pg.Pool): Promise<string> {
  const res = await pool.query("SHOW server_version");
  return String(res.rows[0].server_version).split(" ")[0];
}

type Timing = { db: Stats; wall: Stats; trips: Stats };

function section(options: Options, seedSeconds: number, openNow: number, plans: Plan[], t: Record<string, Timing>, pgVersion: string): string {
  const m = machineInfo();
  const row = (what: string, x: Timing) =>
    `| ${what} | ${x.trips.p50} / ${x.trips.p95} | ${f(x.db.p50)} / ${f(x.db.p95)} | ${f(x.wall.p50)} / ${f(x.wall.p95)} |`;
  // The label path now; the previous code's statements are shown for comparison only.
  const seqScans = plans.filter((p) => p.indexOnly && !p.phase.startsWith("before"));
  const noIndex = seqScans.filter((p) => p.indexOnly?.some((x) => x.startsWith("Seq Scan")));
  const onlyExperiments = noIndex.every((p) => p.indexOnly!.filter((x) => x.startsWith("Seq Scan")).every((x) => x === "Seq Scan on Experiment"));
  return [
    "## Database: the label path at 100,000 pairs, PostgreSQL (`npm run bench:queue`)",
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; Node ${m.node}; PostgreSQL ${pgVersion} on loopback (scripts/pg-test.sh); ` +
      `run ${m.date} (load average 1/5/15 min at the end: ${m.load}).`,
    "",
    `Seed: ${options.pairs.toLocaleString("en")} pairs in one experiment (${Math.round(DONE_SHARE * 100)}% done with a label each, the rest open, k = 1; ` +
      `${openNow.toLocaleString("en")} open at the end), ${USERS} labellers who each skipped ${SKIPS_PER_USER} of the best open pairs, ` +
      `${TRAJECTORIES} trajectories; bulk createMany in ${seedSeconds.toFixed(0)} s, then ANALYZE.`,
    "",
    `Per request, ${options.requests} calls each, one at a time, in-process through the functions the routes call. "Database" is the sum of ` +
      "Prisma's durations of the request's statements (round trips included); ms p50 / p95. \"Round trips\" counts every statement " +
      "sent to PostgreSQL, BEGIN and COMMIT included (p50 / p95).",
    "",
    "| request | round trips | database | whole call |",
    "| --- | --- | --- | --- |",
    row("POST /api/label/next (lease + peek + counts)", t.next),
    row("POST /api/pairs/ID/label (label + next)", t.label),
    row("GET /api/label/queue", t.queue),
    row("GET /api/label/targets", t.targets),
    row("before: the two queue counts every label request also ran", t.oldCounts),
    row("before: the two open-pair group-bys of GET /api/label/targets", t.oldTargets),
    "",
    `The previous code counted the queue on every label request (next, label, queue: open pairs for the user and their labels): ` +
      `${f(t.oldCounts.db.p50)} ms of database time at p50 here, more than the whole label request now (${f(t.label.db.p50)} ms). ` +
      "The counts are now one read of kept counters (two primary keys, joined in one statement). The candidate read itself was already an index walk; it is now one " +
      "`FOR UPDATE SKIP LOCKED` statement (see the plans).",
    "",
    "Every statement of those requests (and of the previous code's counts and candidate read), `EXPLAIN (ANALYZE, BUFFERS)` " +
      "with the parameters it ran with (writes in a rolled-back transaction); execution time in ms and the scans of its plan:",
    "",
    "| request | statement | ms | scans |",
    "| --- | --- | --- | --- |",
    ...plans.map(
      (p) =>
        `| ${p.phase} | ${p.name} | ${f(p.ms)} | ${p.scans.join("; ") || "no table read (an empty IN list)"}${p.indexOnly ? ` (sequential scans off: ${p.indexOnly.join("; ")})` : ""} |`,
    ),
    "",
    seqScans.length === 0
      ? "No statement of the label path reads a table by a sequential scan."
      : `Sequential scans chosen by the planner on the label path: ${seqScans.length} statements, all on tables of a few rows (Experiment, TrainingRound, LabellerCount). ` +
        (noIndex.length === 0
          ? "With sequential scans off each of them is an index scan, so none lacks an index."
          : `With sequential scans off these still scan sequentially (no index serves them): ${noIndex.map((p) => `${p.phase}: ${p.name}`).join("; ")}` +
            (onlyExperiments
              ? ": the picker ranks every eligible experiment, so they read the experiment table (one row per experiment; the open-pair count is a column of it), whatever the number of pairs."
              : ".")),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
