import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/server/db/client";
import { BACKENDS, freshDb } from "../db/backends";

// The trainer CLI against a real database (SQLite, and PostgreSQL when TEST_POSTGRES_URL is set):
// rounds stored, resume after kill -9, dataset export and import.
const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "oprl-cli-db-"));
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!);

describe.each(BACKENDS)("train --db on $name", (backend) => {
  let db: Db;
  let env: NodeJS.ProcessEnv;
  let close: () => Promise<void>;
  let experimentId = "";
  const cli = (args: string[]) => run(tsx, ["--conditions=react-server", "lib/cli/train.ts", "--no-progress", ...args], { env, maxBuffer: 1 << 24 });
  const dataset = (args: string[]) => run(tsx, ["--conditions=react-server", "lib/cli/dataset.ts", ...args], { env, maxBuffer: 1 << 24 });
  const trajectories = (id: string) => db.trajectory.count({ where: { experimentId: id } });

  beforeAll(async () => {
    const fresh = await freshDb(backend);
    db = fresh.db;
    close = fresh.close;
    env = { ...process.env, DATABASE_URL: fresh.url };
  });
  afterAll(async () => close());

  it("stores trajectories, pairs, labels, checkpoints and metrics, round by round", async () => {
    const { stdout } = await cli([
      "--db",
      "--name",
      "cli test",
      "--episodes",
      "40",
      "--round-episodes",
      "20",
      "--pairs-per-round",
      "6",
      "--eval",
      "5",
      "--seed",
      "2",
    ]);
    const s = lastJson(stdout);
    experimentId = s.experiment_id;
    expect(s).toMatchObject({ rounds: 2, episodes: 40, checkpoints: 2, preferences_used: 12, backend: expect.any(String) });
    const where = { experimentId };
    expect({
      trajectories: await trajectories(experimentId),
      pairs: await db.pair.count({ where }),
      synthetic: await db.label.count({ where: { pair: where, source: "synthetic" } }),
      episodeMetrics: await db.metric.count({ where: { ...where, kind: "episode" } }),
      rounds: await db.trainingRound.count({ where: { ...where, status: "done" } }),
    }).toEqual({ trajectories: 40, pairs: 12, synthetic: 12, episodeMetrics: 40, rounds: 2 });
    expect(await db.experiment.findUnique({ where: { id: experimentId }, select: { name: true, labellingMode: true } })).toEqual({
      name: "cli test",
      labellingMode: "synthetic",
    });
  });

  it("--resume continues to the new total from the last checkpoint", async () => {
    const { stdout } = await cli(["--resume", experimentId, "--episodes", "60", "--eval", "5"]);
    expect(lastJson(stdout)).toMatchObject({ experiment_id: experimentId, rounds: 1, episodes: 60, checkpoints: 3 });
    const err = await cli(["--resume", experimentId, "--seed", "4"]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--seed cannot be combined with --resume/);
    const missing = await cli(["--resume", "no-such-experiment"]).catch((e) => e);
    expect(missing.stderr).toMatch(/experiment no-such-experiment not found/);
  });

  it("a run killed mid-round resumes without losing or duplicating episodes", async () => {
    // node itself with tsx as a loader (the tsx binary runs node as a child, which a kill would orphan).
    const child = spawn(
      process.execPath,
      [
        "--conditions=react-server",
        "--import",
        "tsx",
        "lib/cli/train.ts",
        "--no-progress",
        "--db",
        "--episodes",
        "1000",
        "--round-episodes",
        "1000",
        "--eval",
        "5",
      ],
      { env },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Wait until some episodes are committed, then kill without warning.
    const started = Date.now();
    let id = "";
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      id = /experiment (\S+):/.exec(stderr)?.[1] ?? "";
      if ((id && (await trajectories(id)) >= 50) || Date.now() - started > 60_000) break;
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const committed = await trajectories(id);
    expect(committed).toBeGreaterThanOrEqual(50);
    expect(committed).toBeLessThan(1000);
    const { stdout } = await cli(["--resume", id, "--episodes", "1000", "--eval", "5"]);
    expect(lastJson(stdout)).toMatchObject({ episodes: 1000, resumed_round: 1 });
    const ids = await db.trajectory.findMany({ where: { experimentId: id }, select: { id: true } });
    expect(new Set(ids.map((t) => t.id)).size).toBe(1000);
    const episodes = await db.metric.findMany({ where: { experimentId: id, kind: "episode" }, select: { episode: true } });
    expect(new Set(episodes.map((m) => m.episode)).size).toBe(1000);
    expect(episodes).toHaveLength(1000);
  });

  it("exports a dataset and imports it into another experiment", async () => {
    const out = path.join(dir, `${backend.name}-prefs.jsonl`);
    await dataset(["export", experimentId, "--out", out]);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(18);
    const { stdout } = await cli(["--db", "--episodes", "10", "--round-episodes", "10", "--pairs-per-round", "2", "--eval", "1"]);
    const target = lastJson(stdout).experiment_id;
    const imported = await dataset(["import", target, out]);
    expect(JSON.parse(imported.stdout)).toMatchObject({ pairs: 18, labels: 18 });
    writeFileSync(out, `${lines[0]}\n{"format": "oprl.preferences.v1"}\n`);
    const bad = await dataset(["import", target, out]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2:/);
    expect(await db.pair.count({ where: { experimentId: target } })).toBe(2 + 18);
  });
});
