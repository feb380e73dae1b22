import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

// The trainer CLI against a real SQLite file: rounds stored, resume after kill -9, dataset export/import.
const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "oprl-cli-db-"));
const file = path.join(dir, "cli.db");
const env = { ...process.env, DATABASE_URL: `file:${file}` };
const cli = (args: string[]) => run(tsx, ["lib/cli/train.ts", "--no-progress", ...args], { env, maxBuffer: 1 << 24 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!);
const query = <T>(sql: string, ...params: unknown[]) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
};

describe("train --db", () => {
  let experimentId = "";

  it("stores trajectories, pairs, labels, checkpoints and metrics, round by round", async () => {
    const { stdout } = await cli(["--db", "--name", "cli test", "--episodes", "40", "--round-episodes", "20", "--pairs-per-round", "6", "--eval", "5", "--seed", "2"]);
    const s = lastJson(stdout);
    experimentId = s.experiment_id;
    expect(s).toMatchObject({ rounds: 2, episodes: 40, checkpoints: 2, preferences_used: 12, backend: expect.any(String) });
    const counts = query<{ t: number; p: number; l: number; m: number; r: number }>(
      `select (select count(*) from Trajectory where experimentId = @id) t, (select count(*) from Pair where experimentId = @id) p,
              (select count(*) from Label l join Pair p on p.id = l.pairId where p.experimentId = @id and l.source = 'synthetic') l,
              (select count(*) from Metric where experimentId = @id and kind = 'episode') m,
              (select count(*) from TrainingRound where experimentId = @id and status = 'done') r`,
      { id: experimentId },
    );
    expect(counts).toEqual({ t: 40, p: 12, l: 12, m: 40, r: 2 });
    expect(query<{ name: string; labellingMode: string }>("select name, labellingMode from Experiment where id = ?", experimentId)).toEqual({
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
    const child = spawn(process.execPath, ["--import", "tsx", "lib/cli/train.ts", "--no-progress", "--db", "--episodes", "300", "--round-episodes", "300", "--eval", "5"], { env });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Wait until some episodes are committed, then kill without warning.
    const started = Date.now();
    let id = "";
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      id = /experiment (\S+):/.exec(stderr)?.[1] ?? "";
      const done = id ? query<{ n: number }>("select count(*) n from Trajectory where experimentId = ?", id).n : 0;
      if (done >= 50 || Date.now() - started > 60_000) break;
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const committed = query<{ n: number }>("select count(*) n from Trajectory where experimentId = ?", id).n;
    expect(committed).toBeGreaterThanOrEqual(50);
    expect(committed).toBeLessThan(300);
    const { stdout } = await cli(["--resume", id, "--episodes", "300", "--eval", "5"]);
    expect(lastJson(stdout)).toMatchObject({ episodes: 300, resumed_round: 1 });
    expect(query("select count(*) n, count(distinct id) d from Trajectory where experimentId = ?", id)).toEqual({ n: 300, d: 300 });
    expect(query("select count(distinct episode) n from Metric where experimentId = ? and kind = 'episode'", id)).toEqual({ n: 300 });
  });

  it("exports a dataset and imports it into another experiment", async () => {
    const out = path.join(dir, "prefs.jsonl");
    await run(tsx, ["lib/cli/dataset.ts", "export", experimentId, "--out", out], { env });
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(18);
    const { stdout } = await cli(["--db", "--episodes", "10", "--round-episodes", "10", "--pairs-per-round", "2", "--eval", "1"]);
    const target = lastJson(stdout).experiment_id;
    const imported = await run(tsx, ["lib/cli/dataset.ts", "import", target, out], { env });
    expect(JSON.parse(imported.stdout)).toMatchObject({ pairs: 18, labels: 18 });
    writeFileSync(out, `${lines[0]}\n{"format": "oprl.preferences.v1"}\n`);
    const bad = await run(tsx, ["lib/cli/dataset.ts", "import", target, out], { env }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2:/);
    expect(query<{ n: number }>("select count(*) n from Pair where experimentId = ?", target).n).toBe(2 + 18);
  });
});
