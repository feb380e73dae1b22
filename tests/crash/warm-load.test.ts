// The built server warms up before it serves (lib/server/warm.ts), and the load test's parts work against it: the
// labellers' loop, the CPU read from /proc, and the check of acknowledged labels against the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, startServer, type AppServer } from "../../scripts/app-server";
import { throwawaySqlite, type ThrowawayDatabase } from "../../scripts/throwaway-db";
import { LoadRun } from "../../scripts/load/labellers";
import { dbCpuSource, measurePhase } from "../../scripts/load/measure";
import { seedInDatabase, signInSpread } from "../../scripts/load/setup";
import { compareLabels, storedLabels } from "../../scripts/load/verify";
import type { SeededLabelling } from "../../scripts/seed-labelling";

describe("a built server under the load test's labellers", () => {
  let database: ThrowawayDatabase;
  let server: AppServer;
  let seeded: SeededLabelling;
  beforeAll(async () => {
    ensureBuild();
    database = throwawaySqlite("warm-load");
    seeded = await seedInDatabase(database.url, { pairs: 300, users: 4, prefix: "wl" });
    server = await startServer({
      port: await freePort(),
      databaseUrl: database.url,
      env: { SESSION_SECRET: "warm-load-test-secret-0123456789abcdef", ADMIN_PASSWORD: "warm-load-admin", OPRL_WORKER: "off" },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("loaded its routes and pages and ran the session check and the label path's statements before serving", () => {
    const line = server.logs.find((l) => l.startsWith("[warm]"));
    expect(line, server.logs.join("\n")).toBeDefined();
    expect(Number(/\[warm\] (\d+) routes and pages loaded/.exec(line!)?.[1])).toBeGreaterThanOrEqual(20);
    expect(line).toMatch(/session check and label path run \d+ times/);
    expect(server.logs.filter((l) => l.includes("could not preload"))).toEqual([]);
  });

  it("every label the labellers were told was saved is stored, under their own account, once", async () => {
    const labellers = await signInSpread([server.base], seeded.labellers);
    const run = new LoadRun([server.base], seeded.experimentId, "warm-load");
    const db = await dbCpuSource(database.url);
    const phase = await measurePhase(run, labellers, 3, { app: [[server.pid]], db: db.pid, dbNote: db.note });
    run.close();
    expect(phase.labels).toBeGreaterThan(0);
    expect(phase.instances[0].errors).toEqual({});
    expect(phase.instances[0].appCpuMs).toBeGreaterThan(0);
    expect(db.note).toMatch(/SQLite/);
    expect(run.pairsLeasedTwice()).toBe(0);
    const { stored, overLabelled } = await storedLabels(database.url, seeded.experimentId);
    const cmp = compareLabels(run.acked, stored);
    expect(cmp).toMatchObject({ acknowledged: phase.labels, missing: 0, misattributed: 0 });
    expect(cmp.stored).toBeGreaterThanOrEqual(phase.labels);
    expect(overLabelled).toBe(0);
  });
});
