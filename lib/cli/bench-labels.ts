import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { z } from "zod";
import { parseTrainArgs, TRAIN_USAGE } from "./args";
import {
  aggregate,
  budgetLabel,
  DEFAULT_SUITE,
  GRID,
  MAZES,
  planGrid,
  QUICK_EPISODES,
  renderTables,
  runArgv,
  SUCCESS,
  variantKey,
  type RunResult,
  type RunSpec,
  type RunSummary,
} from "./bench-labels-plan";
import { buildSvg, seriesFromCells } from "./bench-labels-svg";
import { machineInfo, writeBenchmarkSection } from "./benchmarks-file";

// npm run bench:labels: label-efficiency curves (labels -> success, reward quality) over a suite of mazes where
// the sparse reward fails. Two worker processes run what `npm run train` runs from the same flags (parseTrainArgs,
// then runTraining), so each run pays tsx's and tfjs's start-up once per worker, not once per run.
const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const SELF = path.join(ROOT, "lib/cli/bench-labels.ts");

const argsSchema = z.object({
  seeds: z.coerce.number().int().min(1).max(100).optional(),
  mazes: z
    .string()
    .regex(/^[a-z0-9]+(,[a-z0-9]+)*$/, "expected a comma-separated list of maze ids")
    .default(DEFAULT_SUITE.mazes.join(",")),
  jobs: z.coerce.number().int().min(1).max(2).default(2),
  /** Start no run that would end past this (by the mean run so far): cells then show fewer seeds, and the output says so. */
  "max-minutes": z.coerce.number().positive().default(20),
  out: z.string().default(path.join(ROOT, "BENCHMARKS.md")),
  /**
   * Raw results of an earlier run (the JSON file it names on stderr): cells this run does not measure are taken
   * from it, and the output says which. With `--loop rounds`, only the round loop is run again.
   */
  reuse: z.string().optional(),
  loop: z.enum(["all", "rounds"]).default("all"),
});

interface WorkerReply {
  id: number;
  summary?: RunSummary & { backend: string };
  error?: string;
  wall: number;
  /** CPU seconds the run took in the worker (user + system): what it would take on an idle core. */
  cpu?: number;
}

/** Worker mode: one JSON line {id, argv} in, one JSON line {id, summary | error, wall} out, until stdin closes. */
async function worker() {
  const { runTraining } = await import("./train-runs");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const { id, argv } = JSON.parse(line) as { id: number; argv: string[] };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let reply: WorkerReply;
    try {
      const args = parseTrainArgs(argv);
      // The same run `npm run train` makes from these flags (in memory, or in the round schedule with --rounds).
      const summary = await runTraining({ ...args, progress: false });
      const cpu = process.cpuUsage(cpu0);
      reply = { id, summary, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
    } catch (err) {
      reply = { id, error: (err as Error).message, wall: (performance.now() - t0) / 1000 };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

class Worker {
  private child: ChildProcessWithoutNullStreams;
  private pending = new Map<number, (r: WorkerReply) => void>();
  private exited = false;
  constructor() {
    this.child = spawn(TSX, ["--conditions=react-server", SELF, "--worker"], { cwd: ROOT, stdio: "pipe" });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const reply = JSON.parse(line) as WorkerReply;
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    this.child.on("exit", (code) => {
      this.exited = true;
      for (const [id, resolve] of this.pending) resolve({ id, error: `worker exited with code ${code}: ${this.stderr.slice(-500)}`, wall: 0 });
      this.pending.clear();
    });
  }
  stderr = "";
  run(id: number, argv: string[]): Promise<WorkerReply> {
    if (this.exited) return Promise.resolve({ id, error: `worker had exited: ${this.stderr.slice(-500)}`, wall: 0 });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, argv })}\n`);
    });
  }
  close() {
    this.child.stdin.end();
  }
}

const fmtTime = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
const describe = (spec: RunSpec) => `${spec.maze} ${variantKey(spec.variant)} seed ${spec.seed}`;

async function main() {
  if (process.argv.includes("--worker")) return worker();
  const { values } = parseArgs({
    options: { ...Object.fromEntries(Object.keys(argsSchema.shape).map((k) => [k, { type: "string" as const }])), quick: { type: "boolean" } },
  });
  const { quick, ...rest } = values as Record<string, string | boolean | undefined>;
  const parsed = argsSchema.safeParse(rest);
  if (!parsed.success) {
    process.stderr.write(`bench:labels: ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n`);
    process.exit(2);
  }
  const opts = parsed.data;
  const seeds = opts.seeds ?? (quick ? 2 : 10);
  const mazes = opts.mazes.split(",");
  const unknown = mazes.find((m) => !MAZES[m]);
  if (unknown) {
    process.stderr.write(`bench:labels: --mazes: unknown maze ${unknown} (known: ${Object.keys(MAZES).join(", ")})\n`);
    process.exit(2);
  }
  const suiteName = opts.mazes === DEFAULT_SUITE.mazes.join(",") ? DEFAULT_SUITE.name : `custom (${mazes.join(", ")})`;
  // The in-memory round mode is a train.ts flag the lead may add; measure it only where it exists.
  const roundLoop = /^\s+--rounds\s/m.test(TRAIN_USAGE);
  const plan = planGrid({ seeds, mazes, roundLoop, quick: Boolean(quick) });
  if (opts.loop === "rounds") plan.runs = plan.runs.filter((r) => r.variant.kind === "oprl" && r.variant.loop === "rounds");
  let reused: RunResult[] = [];
  if (opts.reuse) {
    try {
      const earlier = JSON.parse(readFileSync(opts.reuse, "utf8")) as { results: RunResult[] };
      const key = (r: RunSpec) => `${r.maze}|${variantKey(r.variant)}|${r.seed}`;
      const planned = new Set(plan.runs.map(key));
      reused = earlier.results.filter((r) => !planned.has(key(r.spec)) && mazes.includes(r.spec.maze));
    } catch (err) {
      process.stderr.write(`bench:labels: --reuse ${opts.reuse}: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const shownMazes = quick ? mazes.slice(0, 1) : mazes;
  const episodes = quick ? QUICK_EPISODES : undefined;
  const machineStart = machineInfo();

  const bars = process.stderr.isTTY
    ? new MultiBar({ format: "{name} |{bar}| {value}/{total} {last}", stream: process.stderr, hideCursor: true }, Presets.shades_classic)
    : null;
  const mazeBars = new Map<string, SingleBar | undefined>(
    shownMazes.map((m) => [m, bars?.create(plan.runs.filter((r) => r.maze === m).length, 0, { name: m.padEnd(6), last: "" })]),
  );
  process.stderr.write(`bench:labels: ${plan.runs.length} runs (${seeds} seeds, mazes ${shownMazes.join(", ")}), ${opts.jobs} at a time\n`);

  const workers = Array.from({ length: opts.jobs }, () => new Worker());
  const results: RunResult[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let backend = "unknown";
  let walls = 0;
  let cpuSeconds = 0;
  let skipped = 0;
  const deadline = opts["max-minutes"] * 60;
  await Promise.all(
    workers.map(async (w) => {
      while (next < plan.runs.length) {
        const elapsedNow = (performance.now() - t0) / 1000;
        if (done > 0 && elapsedNow + walls / done > deadline) {
          skipped = plan.runs.length - next;
          next = plan.runs.length;
          break;
        }
        const id = next++;
        const spec = plan.runs[id];
        const reply = await w.run(id, runArgv(spec, { episodes }));
        done++;
        walls += reply.wall;
        cpuSeconds += reply.cpu ?? 0;
        const elapsed = (performance.now() - t0) / 1000;
        let line: string;
        if (reply.summary) {
          backend = reply.summary.backend;
          results.push({ spec, summary: reply.summary });
          const s = reply.summary;
          line = `eval ${s.eval_success.toFixed(2)} rho ${s.reward_spearman?.toFixed(2) ?? "-"} labels ${s.preferences_used} (${reply.wall.toFixed(1)} s)`;
        } else {
          failures.push(`${describe(spec)}: ${reply.error}`);
          line = `FAILED: ${reply.error}`;
        }
        mazeBars.get(spec.maze)?.increment({ last: `${variantKey(spec.variant)} s${spec.seed}: ${line}` });
        if (!bars) process.stderr.write(`[${done}/${plan.runs.length} ${fmtTime(elapsed)}] ${describe(spec)}: ${line}\n`);
      }
      w.close();
    }),
  );
  bars?.stop();
  const wallSeconds = (performance.now() - t0) / 1000;
  const rawFile = path.join(os.tmpdir(), `bench-labels-${Date.now()}.json`);
  writeFileSync(rawFile, JSON.stringify({ plan, results, failures }, null, 1));
  process.stderr.write(`bench:labels: raw results in ${rawFile}\n`);

  const cells = aggregate([...reused, ...results]);
  const svgFile = path.join(path.dirname(path.resolve(opts.out)), "bench-labels.svg");
  const unlimitedCells = cells.filter((c) => c.variant.kind === "oprl" && c.variant.budget === "unlimited");
  const unlimitedLabels = unlimitedCells.length ? Math.round(unlimitedCells.reduce((a, c) => a + c.meanLabels, 0) / unlimitedCells.length) : null;
  writeFileSync(
    svgFile,
    buildSvg(seriesFromCells(cells, shownMazes), {
      title: `Label efficiency, suite ${suiteName}, ${seeds} seeds${quick ? " (quick)" : ""}`,
      unlimitedNote: `0 labels: shaping from an unfitted reward model; unlimited: 2 labels every episode${unlimitedLabels !== null ? ` (~${unlimitedLabels})` : ""}; dashed, squares: 20%-mistake teacher`,
    }),
  );

  const m = machineInfo();
  const lines: string[] = [
    "## Label efficiency (`npm run bench:labels`)",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ` +
      `tfjs backend **${backend}**; load average ${machineStart.load} at the start, ${m.load} at the end (the machine is shared). ` +
      `${plan.runs.length} runs, ${opts.jobs} at a time, **${fmtTime(wallSeconds)}** wall in all` +
      `${quick ? `; **quick smoke version** (${QUICK_EPISODES} episodes per run)` : ", 500 episodes per run"}, then 100 evaluation episodes (epsilon 0, sampling from the policy).`,
    ...(reused.length
      ? [
          "",
          `**${reused.length} runs reused** from an earlier run's raw results (\`--reuse ${path.basename(opts.reuse!)}\`): every cell not measured in this run.`,
        ]
      : []),
    "",
    `**Suite: ${suiteName}** (mazes where the sparse reward alone fails; definitions as in the few-label measurements):`,
    "",
    ...shownMazes.map((id) => `- \`${id}\`: ${MAZES[id].label}: \`npm run train -- ${MAZES[id].flags.join(" ")}\``),
    "",
    `Variants (preset \`default\`, seeds 0..${seeds - 1}): OPRL with the label budget \`--labels N\` (spread over the first 250 episodes); ` +
      "**unlimited** = `--labels 1000000 --label-schedule every` (2 labels every episode, the most this loop asks; the CLI has no way to say no budget with the spread schedule); " +
      "the 20%-mistake teacher = `--teacher mistake --mistake-rate 0.2`; **no labels** = `--labels 0`: shaping stays on, from a reward table that is never fitted " +
      "(all zeros, so the normalised potential is 0 everywhere but 0.5 at the goal: a bonus on reaching the goal, no guidance on the way); " +
      "**sparse only** = `--shaping 0` (no reward model, no labels).",
    "",
    "Not measured here:",
    "",
    ...plan.notMeasured.map((l) => `- ${l}`),
    "",
    `![label efficiency chart](${path.relative(path.dirname(path.resolve(opts.out)), svgFile)})`,
    "",
    `A seed succeeds when its eval success is >= ${SUCCESS}. reward_spearman: the learned per-cell reward against -distance to the goal, mean over seeds (- without a reward model).`,
    "",
    ...renderTables(cells, shownMazes),
  ];
  if (skipped)
    lines.push(
      `**Time limit (${opts["max-minutes"]} min) reached: ${skipped} of ${plan.runs.length} runs not started**; the x/N column shows the seeds each cell got.`,
      "",
    );
  if (failures.length) lines.push(`**${failures.length} runs failed** (left out of the tables):`, "", ...failures.map((f) => `- ${f}`), "");
  const perRun = results.length ? results.reduce((a, r) => a + r.summary.train_seconds, 0) / results.length : 0;
  lines.push(
    `Mean training time per run ${perRun.toFixed(1)} s (train_seconds, with ${opts.jobs} runs in parallel on a shared machine); ` +
      `the runs' own CPU time ${fmtTime(cpuSeconds)} in all, i.e. about ${fmtTime(cpuSeconds / opts.jobs)} of wall time on ${opts.jobs} idle cores.`,
    `Reproduce: \`npm run bench:labels\` (options: \`--seeds N --mazes ${Object.keys(MAZES).join(",")} --jobs 1|2 --max-minutes M --quick --out FILE --loop all|rounds --reuse RAW.json\`); ` +
      `the grid: oracle at ${GRID.oracle.map(budgetLabel).join(" / ")}, 20% mistakes at ${GRID.mistake20.map(budgetLabel).join(" / ")}.`,
  );
  writeBenchmarkSection("labels", lines.join("\n"), opts.out);
  process.stdout.write(`${lines.join("\n")}\n`);
  if (failures.length) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench:labels: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
