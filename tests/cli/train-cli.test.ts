import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseTrainArgs, UsageError } from "@/lib/cli/args";

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), "oprl-cli-"));
const tsx = path.resolve("node_modules/.bin/tsx");

describe("train CLI arguments", () => {
  it("applies flags over the preset", () => {
    const { config, backend } = parseTrainArgs([
      "--preset",
      "seed",
      "--episodes",
      "40",
      "--seed",
      "7",
      "--shaping",
      "0",
      "--teacher",
      "noisy",
      "--backend",
      "cpu",
    ]);
    expect(config).toMatchObject({ preset: "seed", episodes: 40, seed: 7, shaping: { beta: 0 }, teacher: { kind: "noisy", beta: 1 } });
    expect(backend).toBe("cpu");
  });

  it("sets the label budget, schedule, selection, reward model and self-imitation", () => {
    const { config } = parseTrainArgs([
      "--labels",
      "50",
      "--label-schedule",
      "spread",
      "--pairs-per-query",
      "5",
      "--pair-selection",
      "ends",
      "--reward-model",
      "table",
      "--score",
      "end",
      "--self-imitation",
      "0.5",
      "--tie-policy",
      "manhattan",
      "--teacher",
      "mistake",
      "--mistake-rate",
      "0.2",
    ]);
    expect(config.preferences).toMatchObject({ budget: 50, schedule: "spread", perQuery: 5, pairing: "ends" });
    expect(config.rewardModel).toMatchObject({ kind: "table", score: "end" });
    expect(config.policy.selfImitation.coef).toBe(0.5);
    expect(config.teacher).toMatchObject({ kind: "mistake", tiePolicy: "manhattan", epsMistake: 0.2 });
  });

  it("reads a layout file and makes random mazes", () => {
    const file = path.join(tmp, "maze.txt");
    writeFileSync(file, "S..\n.#.\n..G\n");
    expect(parseTrainArgs(["--layout", file]).config.env.layout).toBe("S..\n.#.\n..G");
    const a = parseTrainArgs(["--random-maze", "10x12", "--maze-seed", "3"]).config.env.layout;
    expect(a.split("\n")).toHaveLength(10);
    expect(parseTrainArgs(["--random-maze", "10x12", "--maze-seed", "3"]).config.env.layout).toBe(a);
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--episodes", "zero"], /--episodes "zero"/],
    [["--seed", "1.5"], /--seed "1.5"/],
    [["--preset", "fast"], /--preset "fast"/],
    [["--teacher", "wizard"], /--teacher "wizard"/],
    [["--random-maze", "64x64"], /--random-maze 64x64: .*32x32/],
    [["--random-maze", "big"], /--random-maze "big": expected RxC/],
    [["--maze-seed", "2"], /--maze-seed needs --random-maze/],
    [["--layout", "/nonexistent/maze.txt"], /--layout \/nonexistent\/maze.txt: cannot read the file \(ENOENT\)/],
    [["--seed"], /--seed/],
    [["--labels=-1"], /--labels "-1"/],
    [["--labels", "ten"], /--labels "ten"/],
    [["--label-schedule", "sometimes"], /--label-schedule "sometimes"/],
    [["--pairs-per-query", "0"], /--pairs-per-query "0"/],
    [["--pair-selection", "best"], /--pair-selection "best"/],
    [["--reward-model", "gp"], /--reward-model "gp"/],
    [["--self-imitation=-1"], /--self-imitation "-1"/],
    [["--tie-policy", "guess"], /--tie-policy "guess"/],
    [["--mistake-rate", "1.5"], /--mistake-rate "1.5"/],
    [["--score", "end", "--reward-model", "mlp"], /--score end needs --reward-model table/],
    [["--preset", "seed", "--label-schedule", "spread"], /--label-schedule spread needs --labels/],
  ])("%j is a usage error naming the flag", (argv, message) => {
    expect(() => parseTrainArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseTrainArgs(argv as string[])).toThrow(message);
  });

  it("--rounds: the round schedule in memory, with the round flags of --db", () => {
    expect(parseTrainArgs(["--rounds", "--round-episodes", "20", "--pairs-per-round", "6"]).rounds).toEqual({ roundEpisodes: 20, pairsPerRound: 6 });
    expect(parseTrainArgs([]).rounds).toBeNull();
    expect(() => parseTrainArgs(["--rounds", "--db"])).toThrow(/--rounds is the in-memory form of --db/);
    expect(() => parseTrainArgs(["--round-episodes", "20"])).toThrow(/--round-episodes needs --db or --rounds/);
    expect(() => parseTrainArgs(["--rounds", "--name", "x"])).toThrow(/--name needs --db/);
  });

  it("a bad layout file names the problem and its position", () => {
    const file = path.join(tmp, "bad.txt");
    writeFileSync(file, "S..\n.x.\n..G\n");
    expect(() => parseTrainArgs(["--layout", file])).toThrow(/unknown character 'x' .* at row 2, column 2/);
  });
});

describe("train CLI process", () => {
  it("exits 2 with the message on a bad flag", async () => {
    const err = await run(tsx, ["--conditions=react-server", "lib/cli/train.ts", "--episodes", "-3"]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/train: .*--episodes/);
    expect(err.stderr).toMatch(/Usage: npm run train/);
  });

  it("exits 2 naming a bad --labels value", async () => {
    const err = await run(tsx, ["lib/cli/train.ts", "--labels=-5"]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/train: --labels "-5"/);
  });

  it("runs, prints the summary JSON line and writes curves", async () => {
    const out = path.join(tmp, "curves.json");
    const { stdout } = await run(tsx, ["--conditions=react-server", "lib/cli/train.ts", "--episodes", "30", "--eval", "5", "--seed", "1", "--out", out]);
    const summary = JSON.parse(stdout.trim().split("\n").pop()!);
    for (const key of [
      "train_seconds",
      "env_steps",
      "first_success_episode",
      "train_success_last100",
      "eval_success",
      "eval_mean_len",
      "preferences_used",
      "backend",
    ]) {
      expect(summary).toHaveProperty(key);
    }
    expect(summary.episodes).toBe(30);
    const curves = JSON.parse(readFileSync(out, "utf8"));
    expect(curves.episodes).toHaveLength(30);
    expect(curves.episodes[0]).toHaveProperty("return");
    expect(curves.episodes[29]).toHaveProperty("rewardLoss");
    expect(curves.config.seed).toBe(1);
  });
});
