// `npm run loadtest -- --scenario pg-instances`: several `npm start` instances on one PostgreSQL database, as a
// deployment runs them. Starts a throwaway PostgreSQL (scripts/pg-test.sh on its own port), seeds 100,000 open pairs
// and the labellers' accounts in a new database, then measures with the existing build (it builds nothing):
//   1. one instance (with its worker) and every labeller on it;
//   2. two instances (one shared SESSION_SECRET; the second with OPRL_WORKER=off), the labellers half on each;
//   3. a control: the second instance out of rotation for 10 s and back with all its labellers at once, not restarted
//      (what the burst alone costs); then the second instance restarted under load: taken out of rotation (its labellers go to the first, as a load
//      balancer would), stopped, started again, and back in rotation once its readiness probe answers 200; its first 15
//      requests timed. Twice: with a slow start (--slow-start seconds, default 5), then with all its labellers at once.
// Then checks every acknowledged label against the database and writes the bench:load-pg section of BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { machineInfo, writeBenchmarkSection } from "../../lib/cli/benchmarks-file";
import { freePort, startServer, type AppServer } from "../app-server";
import { throwawayPostgres } from "../throwaway-db";
import { LoadRun, latencyStats, type FirstAnswers, type Labeller } from "./labellers";
import { dbCpuSource, errorsText, f1, measurePhase, ms, type PhaseFigures } from "./measure";
import { jsonReport, phaseTable, sumErrors, TABLE_HEAD } from "./report";
import { seedInDatabase, signInSpread } from "./setup";
import { compareLabels, storedLabels } from "./verify";

const WARM_S = 5;
const verdict = (pass: boolean) => (pass ? "met" : "**NOT met**");
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export interface PgInstancesOptions {
  pairs: number;
  connections: number;
  duration: number;
  pgPort: number;
  write: boolean;
  /** The restarted instance's slow start, seconds (0: its labellers come back all at once, and only that is measured). */
  slowStartS: number;
}

interface Restart {
  /** false: the control, taken out of rotation and put back without a restart (its code stays warm). */
  restarted: boolean;
  rampMs: number;
  stopMs: number;
  readyMs: number;
  first: FirstAnswers["answers"];
  logs: string[];
}

export async function pgInstances(o: PgInstancesOptions): Promise<boolean> {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!existsSync(buildId)) {
    console.error("[load] no build in .next: run `npm run build` first (this scenario measures the existing build and builds nothing)");
    return false;
  }
  console.log(`[load] using the build in .next from ${statSync(buildId).mtime.toISOString()} (it builds nothing: rebuild after changing the code)`);
  const loadBefore = machineInfo().load;
  const startedAt = performance.now();

  const pgDir = `/tmp/oprl-pg-test-${o.pgPort}`;
  const pgWasRunning = existsSync(path.join(pgDir, "data", "postmaster.pid"));
  const pgScript = path.join(ROOT, "scripts", "pg-test.sh");
  const pgEnv = { ...process.env, PG_TEST_PORT: String(o.pgPort) };
  const adminUrl = execFileSync("bash", [pgScript], { env: pgEnv, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop()!;
  const database = await throwawayPostgres(adminUrl, "load");
  const servers: AppServer[] = [];
  try {
    const t0 = performance.now();
    console.log(`[load] seeding ${o.pairs.toLocaleString("en")} open pairs and ${o.connections} labeller accounts…`);
    // The labellers' passwords are hashed at bcrypt cost 10, not 12: sign-in is not what this measures, and 50
    // hashes and sign-ins at cost 12 take a minute of a busy 2-core machine.
    const serverHashCost = process.env.PASSWORD_HASH_COST;
    const hashCost = (process.env.PASSWORD_HASH_COST = "10");
    const seeded = await seedInDatabase(database.url, { pairs: o.pairs, users: o.connections, prefix: "load" });
    // The servers keep their own setting.
    if (serverHashCost === undefined) delete process.env.PASSWORD_HASH_COST;
    else process.env.PASSWORD_HASH_COST = serverHashCost;
    const seedSeconds = (performance.now() - t0) / 1000;
    console.log(`[load] seeded in ${seedSeconds.toFixed(0)} s`);

    const env = { SESSION_SECRET: randomUUID() + randomUUID(), ADMIN_PASSWORD: randomUUID() };
    const [portA, portB] = [await freePort(), await freePort()];
    const start = (port: number, worker: boolean) =>
      startServer({ port, databaseUrl: database.url, env: { ...env, ...(worker ? {} : { OPRL_WORKER: "off" }) } });
    const a = await start(portA, true);
    servers.push(a);
    const db = await dbCpuSource(database.url);

    // Each measured run follows WARM_S s of the same load, unmeasured (its labels are checked with the others):
    // capacity is measured on running instances; the restart below measures a cold one.
    const runs: LoadRun[] = [];
    const warm = async (bases: string[], labellers: Labeller[]) => {
      const w = new LoadRun(bases, seeded.experimentId, `warm-${runs.length}`);
      runs.push(w);
      await w.run(labellers, WARM_S * 1000);
      w.close();
    };

    // 1. One instance.
    const one = await signInSpread([a.base], seeded.labellers);
    await warm([a.base], one);
    console.log(`[load] 1 instance: ${one.length} labellers for ${o.duration} s…`);
    const run1 = new LoadRun([a.base], seeded.experimentId, "load-1");
    const phase1 = await measurePhase(run1, one, o.duration, { app: [[a.pid]], db: db.pid, dbNote: db.note });
    run1.close();
    console.log(JSON.stringify({ phase: "1 instance", ...jsonReport(phase1) }));

    // 2. Two instances: the same cookies work on both (one SESSION_SECRET).
    let b = await start(portB, false);
    servers.push(b);
    const two = one.map((l, i) => ({ ...l, home: i % 2 }));
    await warm([a.base, b.base], two);
    console.log(`[load] 2 instances: ${two.length} labellers, half on each, for ${o.duration} s…`);
    const run2 = new LoadRun([a.base, b.base], seeded.experimentId, "load-2");
    const phase2 = await measurePhase(run2, two, o.duration, { app: [[a.pid], [b.pid]], db: db.pid, dbNote: db.note });
    run2.close();
    console.log(JSON.stringify({ phase: "2 instances", ...jsonReport(phase2) }));

    // 3. Restart the second instance under load, as a load balancer with a readiness check runs it: out of rotation,
    // stopped, started, back in rotation once GET /api/health/ready answers 200. Twice: with a slow start (its
    // labellers come back over --slow-start seconds), then with all of them at once (--slow-start 0: only this one).
    // First a control: the same instance out of rotation and back all at once without a restart, so the burst's own
    // cost (25 labellers arriving in one instant on a busy machine) is told apart from a cold process's.
    const ramps = o.slowStartS > 0 ? [o.slowStartS * 1000, 0] : [0];
    const plan = [{ restarted: false, rampMs: 0 }, ...ramps.map((rampMs) => ({ restarted: true, rampMs }))];
    console.log(
      `[load] instance 2 out of rotation and back at once without a restart, then restarted under load (${ramps.map((ms) => (ms ? `slow start over ${ms / 1000} s` : "all at once")).join(", then ")})…`,
    );
    const run3 = new LoadRun([a.base, b.base], seeded.experimentId, "load-3");
    const restarts: Restart[] = [];
    const phase3 = await measurePhase(run3, two, 300, { app: [[a.pid], null], db: db.pid, dbNote: db.note }, async () => {
      for (const { restarted, rampMs } of plan) {
        await new Promise((r) => setTimeout(r, 10_000));
        const restart: Restart = { restarted, rampMs, stopMs: NaN, readyMs: NaN, first: [], logs: [] };
        restarts.push(restart);
        run3.down.add(1);
        if (restarted) {
          const t = performance.now();
          await b.stop();
          restart.stopMs = performance.now() - t;
          const t2 = performance.now();
          b = await start(portB, false);
          servers[1] = b;
          restart.readyMs = performance.now() - t2;
        } else {
          await new Promise((r) => setTimeout(r, 10_000));
        }
        const watch = run3.watch(1, 15);
        run3.rampIn(1, rampMs);
        const deadline = performance.now() + 60_000;
        while (watch.answers.length < watch.want && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        restart.first = watch.answers;
        // Until every labeller is back, and a little longer.
        await new Promise((r) => setTimeout(r, rampMs + 5_000));
        if (restarted) restart.logs = b.logs;
      }
      run3.stop();
    });
    run3.close();
    const restartText = restarts.map((r) => {
      const firstStats = latencyStats(r.first.map((x) => x.ms));
      const firstSpan = r.first.length ? Math.max(...r.first.map((x) => x.sentAt + x.ms)) - r.first[0].sentAt : NaN;
      const firstErrors = r.first.filter((x) => x.status !== 200 && x.status !== 201).length;
      console.log(
        JSON.stringify({
          phase: r.restarted ? "restart" : "back in rotation without a restart",
          ramp_ms: r.rampMs,
          stop_ms: r.stopMs,
          start_to_ready_ms: r.readyMs,
          first: r.first.map((x) => [Math.round(x.ms), x.status]),
        }),
      );
      if (!r.restarted) {
        return `- **control, no restart** (out of rotation for 10 s, its labellers back all at once to the same warm process): its first ${r.first.length} requests took p50 ${ms(firstStats.p50)}, max ${ms(firstStats.max)}, ${ms(firstSpan)} from the first sent to the last answered; ${firstErrors} not answered 200/201. This is what the burst alone costs on this machine.`;
      }
      const warm = r.logs.filter((l) => l.startsWith("[warm]")).map((l) => l.replace("[warm] ", ""));
      const how = r.rampMs
        ? `**with a slow start** (its ${two.filter((l) => l.home === 1).length} labellers back one by one over ${r.rampMs / 1000} s)`
        : "**all at once** (its labellers back in the same instant)";
      return `- ${how}: stopped with SIGTERM in ${ms(r.stopMs)}, ${ms(r.readyMs)} from spawn until GET /api/health/ready answered 200; its first ${r.first.length} requests took p50 ${ms(firstStats.p50)}, max ${ms(firstStats.max)}, ${ms(firstSpan)} from the first sent to the last answered; ${firstErrors} not answered 200/201. Each within 1 s: ${verdict(r.first.length > 0 && firstStats.max < 1000 && firstErrors === 0)}. Its warm-up: ${warm.length ? warm.join("; ") : "not logged"}.`;
    });

    for (const s of servers) await s.stop();
    servers.length = 0;
    const { stored, overLabelled } = await storedLabels(database.url, seeded.experimentId);
    runs.push(run1, run2, run3);
    const acked = new Map(runs.flatMap((r) => [...r.acked]));
    const cmp = compareLabels(acked, stored);
    const leasedTwice = countLeasedTwice(runs);
    const ok = cmp.missing === 0 && cmp.misattributed === 0 && overLabelled === 0 && leasedTwice === 0;
    const totalSeconds = (performance.now() - startedAt) / 1000;

    const m = machineInfo();
    const section = [
      "## Load: several instances on PostgreSQL (`npm run loadtest -- --scenario pg-instances`)",
      "",
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; Node ${m.node}; run ${m.date}; load average 1/5/15 min before: ${loadBefore}, after: ${m.load} (other work shares the machine). The whole scenario took ${Math.round(totalSeconds)} s.`,
      "",
      `Setup: PostgreSQL 15 on loopback (scripts/pg-test.sh: fsync off), one new database holding one human-labelled experiment with ${o.pairs.toLocaleString("en")} open pairs (k = 1; seeded in ${seedSeconds.toFixed(0)} s with the queue's own insert functions, createMany batches) and ${o.connections} labeller accounts (passwords hashed at bcrypt cost ${hashCost}). The production build (\`next start\` with the peer-address preload, as \`npm start\`), one SESSION_SECRET for every instance; the first runs the training worker (idle), the others OPRL_WORKER=off. ${o.connections} labellers, each signed in with its own account, label with no think time for ${o.duration} s (after ${WARM_S} s of the same load, not measured): POST /api/label/next once, then POST /api/pairs/:id/label again and again (each answer leases the next pair). Latency is per request, next and label together, measured by the client; a request unanswered after 30 s is dropped and counted as an error (socket TIMEOUT; its label may still be stored). CPU is read from /proc before and after each run: the app's (each server process and its worker child) and PostgreSQL's (the postmaster and all its processes); client, servers and database share the machine's cores.`,
      "",
      ...TABLE_HEAD,
      ...phaseTable("1 instance", phase1),
      ...phaseTable("2 instances", phase2),
      "",
      `Targets: DB CPU <= 10 ms/label: ${verdict((phase1.dbCpuMsPerLabel ?? Infinity) <= 10 && (phase2.dbCpuMsPerLabel ?? Infinity) <= 10)} (${f1(phase1.dbCpuMsPerLabel)} / ${f1(phase2.dbCpuMsPerLabel)}); >= 50 labels/s on one instance: ${verdict(phase1.labelsPerS >= 50)} (${f1(phase1.labelsPerS)}); p95 < 1 s: ${verdict(phase1.latency.p95 < 1000 && phase2.latency.p95 < 1000)} (${ms(phase1.latency.p95)} / ${ms(phase2.latency.p95)}); two instances not slower than one: ${verdict(phase2.labelsPerS >= phase1.labelsPerS * 0.95)} (${f1(phase2.labelsPerS)} against ${f1(phase1.labelsPerS)} labels/s, 5% allowed for noise).`,
      "",
      `**Restart under load** (target: each of the restarted instance's first 15 requests within 1 s). Both instances labelling; instance 2 is taken out of rotation (its labellers sent to instance 1), stopped, started again and put back in rotation once its readiness probe answers 200 (after its warm-up), as a load balancer with a health check on GET /api/health/ready does. Before the restarts, a control: the same out-of-rotation and all-at-once return, without a restart. For comparison, the same instance's p50 / p95 in the 2-instance run: ${ms(phase2.instances[1].latency.p50)} / ${ms(phase2.instances[1].latency.p95)}.`,
      "",
      ...restartText,
      "",
      `Meanwhile (${f1(phase3.seconds)} s, the control and ${restarts.length - 1} restart${restarts.length === 2 ? "" : "s"}): ${phase3.labels} labels, p95 ${ms(phase3.latency.p95)}, errors: ${errorsText(sumErrors(phase3.instances.map((x) => x.errors)))}.`,
      "",
      `Labels over all the runs (the unmeasured warm-ups too): **${cmp.acknowledged} acknowledged, ${cmp.stored} stored; ${cmp.missing} acknowledged but missing**, ${cmp.misattributed} stored under another account, **${overLabelled} pairs labelled twice, ${leasedTwice} pairs leased to two labellers**; ${cmp.unacknowledged} stored without an acknowledgement (in flight when a run ended or an instance stopped). Answers with no pair left: ${runs.reduce((a, r) => a + r.emptyQueue, 0)}.`,
      "",
      `Reproduce: \`npm run build && npm run loadtest -- --scenario pg-instances [--duration ${o.duration} --connections ${o.connections} --pairs ${o.pairs} --pg-port ${o.pgPort} --slow-start ${o.slowStartS} --no-write]\` (as root: it starts PostgreSQL as the postgres user; under 9 minutes).`,
    ].join("\n");
    console.log(section);
    if (o.write) console.log(`[load] wrote the load-pg section of ${writeBenchmarkSection("load-pg", section)}`);
    return ok;
  } finally {
    for (const s of servers) await s.stop();
    await database.drop().catch(() => {});
    if (!pgWasRunning) execFileSync("bash", [pgScript, "stop"], { env: pgEnv, stdio: "ignore" });
  }
}

function countLeasedTwice(runs: LoadRun[]): number {
  const owners = new Map<string, Set<string>>();
  for (const r of runs) for (const [pair, names] of r.leasedTo) owners.set(pair, new Set([...(owners.get(pair) ?? []), ...names]));
  return [...owners.values()].filter((s) => s.size > 1).length;
}

export type { PhaseFigures };
