// kill -9 of the server during a burst of labels loses no acknowledged label, and a round the worker was running
// when it died is resumed by the next worker and finishes. The app runs as `next start` (built first, or the
// existing build reused when newer than the sources) on a temp SQLite file, its worker beside it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { api, ensureBuild, freePort, signIn, startServer, type AppServer } from "../../scripts/app-server";
import { seedLabelling } from "../../scripts/seed-labelling";

const dir = mkdtempSync(path.join(os.tmpdir(), "oprl-crash-"));
const dbFile = path.join(dir, "crash.db");
process.env.DATABASE_URL = `file:${dbFile}`;
// Read lazily (first getConfig call), so setting them here, before any test runs, is in time.
process.env.PASSWORD_HASH_COST = "4";

const LABELLERS = 8;
const ENV = { ADMIN_PASSWORD: "crash-admin-pass", SESSION_SECRET: "crash-test-session-secret-0123456789abcdef", PASSWORD_HASH_COST: "4" };

type Burst = { acked: Map<string, string>; sent: number; failures: number };

/** Each labeller: take a pair, label it, take the next from the answer; until the server stops answering. */
async function labelUntilDown(base: string, cookie: string, experimentId: string, burst: Burst, labeller: string): Promise<void> {
  let pairId: string | null = null;
  for (;;) {
    try {
      if (!pairId) {
        const r = await api<{ pair: { pairId: string } | null }>(base, cookie, "POST", "/api/label/next", { experimentId });
        if (r.status !== 200 || !r.body.pair) return;
        pairId = r.body.pair.pairId;
      }
      const labelId = randomUUID();
      burst.sent++;
      const r: { status: number; body: { next: { pair: { pairId: string } | null } } } = await api(base, cookie, "POST", `/api/pairs/${pairId}/label`, {
        labelId,
        choice: burst.sent % 2 ? "left" : "right",
        responseMs: 800,
      });
      if (r.status !== 201) {
        burst.failures++;
        return;
      }
      // The server said it is stored: it must survive the crash.
      burst.acked.set(labelId, labeller);
      pairId = r.body.next.pair?.pairId ?? null;
    } catch {
      return; // connection refused or reset: the server is gone
    }
  }
}

describe("crash: SIGKILL during writes", () => {
  let server: AppServer | null = null;
  let experimentId = "";
  let labellers: { name: string; password: string }[] = [];

  beforeAll(async () => {
    ensureBuild();
    ({ experimentId, labellers } = await seedLabelling({ pairs: 3000, users: LABELLERS, prefix: "crash" }));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every acknowledged label is there after a restart, once; the round the worker was running finishes", async () => {
    const port = await freePort();
    server = await startServer({ port, databaseUrl: `file:${dbFile}`, env: ENV });
    const base = server.base;
    const admin = await signIn(base, "admin", ENV.ADMIN_PASSWORD);

    // A synthetic round running in the worker when the crash comes: long enough (5000 episodes, the most a
    // round takes) that it cannot finish before the burst reaches the kill.
    const exp = await api(base, admin, "POST", "/api/experiments", {
      name: "crash round",
      preset: "default",
      seed: 2,
      maze: { kind: "random", rows: 6, cols: 6, seed: 4, wallDensity: 0.2 },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "synthetic",
      labelsPerPair: 1,
      episodesPerRound: 5000,
      pairsPerRound: 30,
      pairSelection: "random",
      labelTimeLimitSec: 60,
    });
    expect(exp.status).toBe(201);
    const round = await api(base, admin, "POST", `/api/experiments/${exp.body.experiment.id}/rounds`, {});
    expect(round.status).toBe(201);
    const roundId = round.body.round.id;
    for (let i = 0; i < 300; i++) {
      const r = await api(base, admin, "GET", `/api/rounds/${roundId}`);
      if (r.body.round.episodesDone > 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }

    const cookies = await Promise.all(labellers.map((l) => signIn(base, l.name, l.password)));
    const burst: Burst = { acked: new Map(), sent: 0, failures: 0 };
    const loops = cookies.map((c, i) => labelUntilDown(base, c, experimentId, burst, labellers[i].name));
    // Kill once the burst is well under way.
    while (burst.acked.size < 300) await new Promise((res) => setTimeout(res, 20));
    await server.crash();
    await Promise.all(loops);
    server = null;
    expect(burst.failures).toBe(0);
    const acked = burst.acked.size;
    expect(acked).toBeGreaterThanOrEqual(300);

    // Restart on the same file: every acknowledged label is stored, once, by the account that sent it.
    server = await startServer({ port, databaseUrl: `file:${dbFile}`, env: ENV });
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const rows = db.prepare(`SELECT l.id, u.name FROM Label l JOIN User u ON u.id = l.userId WHERE l.userId IS NOT NULL AND u.name LIKE 'crash-%'`).all() as {
        id: string;
        name: string;
      }[];
      const stored = new Map(rows.map((r) => [r.id, r.name]));
      const missing = [...burst.acked.keys()].filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      for (const [id, who] of burst.acked) expect(stored.get(id)).toBe(who);
      // Stored but not acknowledged: only requests in flight at the kill (at most one per labeller).
      expect(stored.size - acked).toBeLessThanOrEqual(LABELLERS);
      const dupPairs = db.prepare("SELECT pairId, COUNT(*) AS n FROM Label WHERE choice != 'skip' GROUP BY pairId HAVING n > 1").all();
      expect(dupPairs).toEqual([]);
    } finally {
      db.close();
    }
    console.log(`[crash] ${acked} labels acknowledged before SIGKILL (${burst.sent} sent): all stored after restart`);

    // The app works again for the same people (their sessions survive a restart).
    const again = await api(base, cookies[0], "POST", "/api/label/next", { experimentId });
    expect(again.status).toBe(200);
    expect(again.body.pair).not.toBeNull();

    // The dead worker's round: taken over once its heartbeat is stale (15 s), resumed, finished.
    let status = "";
    for (let i = 0; i < 600 && status !== "done"; i++) {
      status = (await api(base, admin, "GET", `/api/rounds/${roundId}`)).body.round.status;
      if (status === "failed" || status === "cancelled") break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(status).toBe("done");
    expect(server.logs.some((l) => l.includes("resuming round 1"))).toBe(true);
  });
});
