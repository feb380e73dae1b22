import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { MultiBar, Presets } from "cli-progress";
import { z } from "zod";
import { machineInfo, writeBenchmarkSection } from "./benchmarks-file";

// npm run bench: presets and sparse-only ablations over several seeds, timed beside the PyTorch reference.
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const REFERENCE = path.resolve(ROOT, "../shared/reference/seed_oprl.py");
const PYTHON = "/usr/bin/python3";

const argsSchema = z.object({
  seeds: z.coerce.number().int().min(1).max(100).default(10),
  episodes: z.coerce.number().int().min(10).default(500),
  "reference-seeds": z.coerce.number().int().min(0).max(100).default(3),
  out: z.string().default(path.join(ROOT, "BENCHMARKS.md")),
});

interface Variant {
  name: string;
  preset: "seed" | "default";
  shaping?: number;
  extra?: string[];
}
/** A harder maze: 12x12, 30% walls, 26 steps from start to goal, 100-step episodes. */
const HARD_MAZE = ["--random-maze", "12x12", "--maze-seed", "1", "--wall-density", "0.3", "--max-steps", "100"];
const VARIANTS: Variant[] = [
  { name: "seed (OPRL, shaping 0.1)", preset: "seed" },
  { name: "seed, sparse only (shaping 0)", preset: "seed", shaping: 0 },
  { name: "default (OPRL)", preset: "default" },
  { name: "default, sparse only (shaping 0)", preset: "default", shaping: 0 },
  { name: "12x12 maze: default (OPRL)", preset: "default", extra: HARD_MAZE },
  { name: "12x12 maze: default, sparse only", preset: "default", shaping: 0, extra: HARD_MAZE },
];

interface RunResult {
  eval_success: number;
  train_seconds: number;
  first_success_episode: number | null;
  train_success_last100: number;
  eval_mean_len: number;
  backend: string;
  peak_rss_mb?: number;
  to90: number | null;
  wall: number;
  tensors_end?: number;
}

/** First episode at which the 20-episode moving average of success reaches 0.9. */
function episodesTo90(successes: boolean[]): number | null {
  let window = 0;
  for (let i = 0; i < successes.length; i++) {
    window += successes[i] ? 1 : 0;
    if (i >= 20) window -= successes[i - 20] ? 1 : 0;
    if (i >= 19 && window >= 18) return i + 1;
  }
  return null;
}

async function runOurs(v: Variant, seed: number, episodes: number, tmp: string): Promise<RunResult> {
  const curves = path.join(tmp, `${VARIANTS.indexOf(v)}-${seed}.json`);
  const argv = [
    "--conditions=react-server",
    "lib/cli/train.ts",
    "--preset",
    v.preset,
    "--seed",
    String(seed),
    "--episodes",
    String(episodes),
    "--no-progress",
    "--out",
    curves,
  ];
  if (v.shaping !== undefined) argv.push("--shaping", String(v.shaping));
  if (v.extra) argv.push(...v.extra);
  const t0 = performance.now();
  const { stdout } = await run(TSX, argv, { cwd: ROOT, maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  const summary = JSON.parse(stdout.trim().split("\n").pop()!);
  const eps: { success: boolean }[] = JSON.parse(readFileSync(curves, "utf8")).episodes;
  return { ...summary, to90: episodesTo90(eps.map((e) => e.success)), wall };
}

async function referenceAvailable(): Promise<boolean> {
  if (!existsSync(REFERENCE) || !existsSync(PYTHON)) return false;
  return run(PYTHON, ["-c", "import torch"]).then(
    () => true,
    () => false,
  );
}

async function runReference(seed: number, episodes: number): Promise<RunResult> {
  const t0 = performance.now();
  const { stdout } = await run(PYTHON, [REFERENCE, "--seed", String(seed), "--episodes", String(episodes)], { maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  return { ...JSON.parse(stdout.trim().split("\n").pop()!), to90: null, wall, backend: "pytorch-cpu-1-thread" };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x: number, d = 2) => x.toFixed(d);

async function main() {
  const { values } = parseArgs({ options: Object.fromEntries(Object.keys(argsSchema.shape).map((k) => [k, { type: "string" as const }])) });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`bench: ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n`);
    process.exit(2);
  }
  const opts = parsed.data;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "oprl-bench-"));
  const withReference = opts["reference-seeds"] > 0 && (await referenceAvailable());
  const refSeeds = withReference ? opts["reference-seeds"] : 0;

  const bars = process.stderr.isTTY
    ? new MultiBar({ format: "{name} |{bar}| {value}/{total}", stream: process.stderr, hideCursor: true }, Presets.shades_classic)
    : null;
  const results = new Map<string, RunResult[]>();
  for (const v of VARIANTS) {
    const bar = bars?.create(opts.seeds, 0, { name: v.name.padEnd(34) });
    const rs: RunResult[] = [];
    for (let seed = 0; seed < opts.seeds; seed++) {
      rs.push(await runOurs(v, seed, opts.episodes, tmp));
      bar?.increment();
      if (!bars) process.stderr.write(`${v.name} seed ${seed}: eval ${rs[rs.length - 1].eval_success}\n`);
    }
    results.set(v.name, rs);
  }

  // Speed: the seed preset and the reference, interleaved seed by seed so both see the same machine load.
  const speed: { ours: number; ref: number }[] = [];
  const refResults: RunResult[] = [];
  const bar = refSeeds ? bars?.create(refSeeds, 0, { name: "speed vs reference".padEnd(34) }) : undefined;
  for (let seed = 0; seed < refSeeds; seed++) {
    const ours = await runOurs(VARIANTS[0], seed, opts.episodes, tmp);
    const ref = await runReference(seed, opts.episodes);
    refResults.push(ref);
    speed.push({ ours: ours.train_seconds, ref: ref.train_seconds });
    bar?.increment();
  }
  bars?.stop();

  const backend = results.get(VARIANTS[0].name)![0].backend;
  const m = machineInfo();
  const lines: string[] = [
    "## Learning engine (`npm run bench`)",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${m.cpu}, ${m.cores} cores, ` +
      `${m.memoryGiB} GiB, Node ${m.node}, tfjs backend **${backend}**. ` +
      `${opts.seeds} seeds (0..${opts.seeds - 1}), ${opts.episodes} episodes each, then 100 evaluation episodes (epsilon 0, sampling from the policy).`,
    "",
    "| run | eval success per seed | mean ± std | median | seeds >= 0.95 | episodes to 90% (20-ep avg), median | train s / run | peak RSS MB |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const v of VARIANTS) {
    const rs = results.get(v.name)!;
    const ev = rs.map((r) => r.eval_success);
    const to90 = rs.map((r) => r.to90).filter((x): x is number => x !== null);
    lines.push(
      `| ${v.name} | ${ev.map((x) => f(x)).join(" ")} | ${f(mean(ev))} ± ${f(std(ev))} | ${f(median(ev))} | ${ev.filter((x) => x >= 0.95).length}/${ev.length} | ` +
        `${to90.length ? `${median(to90)} (${to90.length}/${rs.length} reach it)` : "never"} | ${f(mean(rs.map((r) => r.train_seconds)))} | ${Math.max(...rs.map((r) => r.peak_rss_mb ?? 0))} |`,
    );
  }
  lines.push("");
  if (speed.length) {
    const ratio = mean(speed.map((s) => s.ref)) / mean(speed.map((s) => s.ours));
    lines.push(
      `**Speed, seed preset vs the PyTorch reference** (\`../shared/reference/seed_oprl.py\`, Debian's PyTorch, 1 thread; same algorithm and update counts), ` +
        `${speed.length} seeds run alternately in this same process: reference ${f(mean(speed.map((s) => s.ref)))} s, ours ${f(mean(speed.map((s) => s.ours)))} s of training per ${opts.episodes}-episode run: **${f(ratio, 1)}x faster**.`,
      "",
      `Reference eval success on those seeds: ${refResults.map((r) => f(r.eval_success)).join(" ")}.`,
    );
  } else {
    lines.push("Speed vs the reference: not measured in this run (Debian's python3-torch is not installed, or --reference-seeds 0).");
  }
  lines.push(
    "",
    `The 12x12 maze: \`npm run train -- ${HARD_MAZE.join(" ")}\` (add \`--shaping 0\` for the ablation).`,
    "",
    "The original's own figures (shared/notes/oprl.md, 10 seeds): OPRL mean 0.40 (3/10 >= 0.95), sparse only 0.78 (6/10).",
    "Reproduce: `npm run bench` (options: `--seeds N --episodes N --reference-seeds K`).",
  );
  writeBenchmarkSection("engine", lines.join("\n"), opts.out);
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
