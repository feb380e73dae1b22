// npm run bench:labels, the pure parts: the maze suite, the grid of runs, each run's train.ts flags,
// aggregation of the summaries into tables. No I/O here (tests/unit/bench/).

/** Mazes as the few-label measurements defined them (wt-labels scratch/exp.ts): same generator, density and step limits. */
export interface Maze {
  id: string;
  label: string;
  flags: string[];
}
const random = (id: string, size: number, seed: number, maxSteps: number): Maze => ({
  id,
  label: `random ${size}x${size}, maze seed ${seed}, 30% walls, ${maxSteps} steps`,
  flags: ["--random-maze", `${size}x${size}`, "--maze-seed", String(seed), "--wall-density", "0.3", "--max-steps", String(maxSteps)],
});
export const MAZES: Record<string, Maze> = {
  r12s1: random("r12s1", 12, 1, 100),
  r12s2: random("r12s2", 12, 2, 100),
  r12s3: random("r12s3", 12, 3, 100),
  r16s1: random("r16s1", 16, 1, 150),
  r16s2: random("r16s2", 16, 2, 150),
  dead: {
    id: "dead",
    label: "hand-made dead-end 12x12 (lib/maze/layouts/dead-end-12x12.txt), 100 steps",
    flags: ["--layout", "lib/maze/layouts/dead-end-12x12.txt", "--max-steps", "100"],
  },
  d8: { id: "d8", label: "the default 8x8 maze, 60 steps", flags: [] },
};

/**
 * The default suite: mazes where the sparse reward alone fails (0/5 seeds for r16s1 in the few-label
 * measurements, 2/5 for the dead end). Chosen so the whole grid fits in 20 minutes on 2 shared cores;
 * `--mazes` runs others (r12s1, r12s2, r12s3, r16s2, d8).
 */
export const DEFAULT_SUITE = { name: "sparse-fails-2 (r16s1, dead)", mazes: ["r16s1", "dead"] };

export type Budget = 25 | 50 | 100 | 200 | "unlimited";
export const BUDGETS: Budget[] = [25, 50, 100, 200, "unlimited"];
export type Teacher = "oracle" | "mistake20";
/** memory: the in-memory loop (teacher asked between episodes); rounds: the round loop, where the CLI has one. */
export type Loop = "memory" | "rounds";

export type Variant =
  | { kind: "oprl"; budget: Budget; teacher: Teacher; loop: Loop }
  /** --shaping 0: no reward model in the loop, no labels asked. */
  | { kind: "sparse" }
  /** --labels 0: shaping on, from a reward model that never sees a label. */
  | { kind: "nolabels" };

export interface RunSpec {
  maze: string;
  variant: Variant;
  seed: number;
}

export interface GridOptions {
  seeds: number;
  mazes: string[];
  /** Whether train.ts has an in-memory round mode (`--rounds`). */
  roundLoop: boolean;
  /** 2-seed smoke version: one maze, three budgets, short runs. */
  quick?: boolean;
}

/** Which budgets each teacher / loop is measured at: the full curve for the oracle, the expensive rest where it matters. */
export const GRID = {
  oracle: BUDGETS,
  /** At the preset's budget only: 160 runs of ~15 s (2 at a time, the machine shared) is what fits in 20 minutes. */
  mistake20: [100] as Budget[],
  /** The round loop (ROUND_FLAGS) at 25, 50 and 100 labels, on every maze. */
  rounds: [25, 50, 100] as Budget[],
  roundsMazes: Infinity,
};
const QUICK = { oracle: [25, 100, "unlimited"] as Budget[], mistake20: [100] as Budget[], rounds: [50] as Budget[] };
export const QUICK_EPISODES = 150;

export interface Plan {
  runs: RunSpec[];
  /** Lines for the output: what this grid does not measure and why. */
  notMeasured: string[];
}

export function planGrid(opts: GridOptions): Plan {
  const budgets = opts.quick ? QUICK : GRID;
  const mazes = opts.quick ? opts.mazes.slice(0, 1) : opts.mazes;
  for (const m of mazes) if (!MAZES[m]) throw new Error(`unknown maze ${m} (known: ${Object.keys(MAZES).join(", ")})`);
  const seeds = Array.from({ length: opts.seeds }, (_, i) => i);
  const variants: { maze: string; variant: Variant }[] = [];
  mazes.forEach((maze, mi) => {
    variants.push({ maze, variant: { kind: "sparse" } }, { maze, variant: { kind: "nolabels" } });
    for (const budget of budgets.oracle) variants.push({ maze, variant: { kind: "oprl", budget, teacher: "oracle", loop: "memory" } });
    for (const budget of budgets.mistake20) variants.push({ maze, variant: { kind: "oprl", budget, teacher: "mistake20", loop: "memory" } });
    if (opts.roundLoop && mi < GRID.roundsMazes) {
      for (const budget of budgets.rounds) variants.push({ maze, variant: { kind: "oprl", budget, teacher: "oracle", loop: "rounds" } });
    }
  });
  const notMeasured = [
    opts.roundLoop
      ? `round loop: only the oracle, only at ${budgets.rounds.join(" / ")} labels (\`${ROUND_FLAGS.join(" ")}\`)`
      : "round loop: train.ts has no in-memory round mode (`--rounds`)",
    `20%-mistake teacher: only at ${budgets.mistake20.map(budgetLabel).join(" / ")} labels`,
  ];
  // Seed-major order, so a stopped run still has every cell at a few seeds.
  const runs: RunSpec[] = [];
  for (const seed of seeds) for (const v of variants) runs.push({ ...v, seed });
  return { runs, notMeasured };
}

export const budgetLabel = (b: Budget) => (b === "unlimited" ? "unlimited" : String(b));

/**
 * The round loop as the web app runs it by default, in memory: rounds of 25 episodes, up to 10 pairs a round, the
 * budget spread over the first 250 episodes. Rounds of 100 / 24 pairs: r16s1 at 100 labels 7/10 (BENCHMARKS.md).
 */
export const ROUND_FLAGS = ["--rounds", "--round-episodes", "25", "--pairs-per-round", "10"];

export function runArgv(spec: RunSpec, opts: { episodes?: number; roundFlags?: string[] } = {}): string[] {
  const maze = MAZES[spec.maze];
  const argv = ["--preset", "default", "--seed", String(spec.seed), ...maze.flags];
  if (opts.episodes !== undefined) argv.push("--episodes", String(opts.episodes));
  const v = spec.variant;
  if (v.kind === "sparse") return [...argv, "--shaping", "0"];
  if (v.kind === "nolabels") return [...argv, "--labels", "0"];
  // No budget at all cannot be said with --labels; the preset's spread schedule needs one. Unlimited = 2 pairs
  // every episode for the whole run (the `every` schedule), a cap far above what it can ask.
  if (v.budget === "unlimited") argv.push("--labels", "1000000", "--label-schedule", "every");
  else argv.push("--labels", String(v.budget));
  if (v.teacher === "mistake20") argv.push("--teacher", "mistake", "--mistake-rate", "0.2");
  if (v.loop === "rounds") argv.push(...(opts.roundFlags ?? ROUND_FLAGS));
  return argv;
}

/** The part of train.ts's summary line the bench reads. */
export interface RunSummary {
  eval_success: number;
  reward_spearman: number | null;
  preferences_used: number;
  train_seconds: number;
}

export interface RunResult {
  spec: RunSpec;
  summary: RunSummary;
}

export const SUCCESS = 0.95;

export interface Cell {
  maze: string;
  variant: Variant;
  n: number;
  /** Seeds with eval_success >= 0.95. */
  successes: number;
  meanEval: number;
  /** Over the seeds that have a reward model (null for sparse-only). */
  meanSpearman: number | null;
  meanLabels: number;
  meanTrainSeconds: number;
  evals: number[];
}

export const variantKey = (v: Variant) => (v.kind === "oprl" ? `${v.teacher}/${v.loop}/${budgetLabel(v.budget)}` : v.kind);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One cell per maze x variant, in the order the variants first appear. */
export function aggregate(results: RunResult[]): Cell[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.spec.maze}|${variantKey(r.spec.variant)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const sorted = [...rs].sort((a, b) => a.spec.seed - b.spec.seed);
    const evals = sorted.map((r) => r.summary.eval_success);
    const rhos = sorted.map((r) => r.summary.reward_spearman).filter((x): x is number => x !== null && Number.isFinite(x));
    return {
      maze: rs[0].spec.maze,
      variant: rs[0].spec.variant,
      n: rs.length,
      successes: evals.filter((e) => e >= SUCCESS).length,
      meanEval: mean(evals),
      meanSpearman: rhos.length ? mean(rhos) : null,
      meanLabels: mean(sorted.map((r) => r.summary.preferences_used)),
      meanTrainSeconds: mean(sorted.map((r) => r.summary.train_seconds)),
      evals,
    };
  });
}

export const TEACHER_NAMES: Record<Teacher, string> = {
  oracle: "oracle teacher",
  mistake20: "20%-mistake teacher (`--teacher mistake --mistake-rate 0.2`)",
};

const f2 = (x: number) => x.toFixed(2);
function row(name: string, c: Cell | undefined): string {
  if (!c) return `| ${name} | not run | | | | |`;
  return `| ${name} | ${c.successes}/${c.n} | ${f2(c.meanEval)} | ${c.meanSpearman === null ? "-" : f2(c.meanSpearman)} | ${Math.round(c.meanLabels)} | ${c.evals.map(f2).join(" ")} |`;
}

/** A table per maze x teacher (x loop): budget -> success seeds, mean eval, mean Spearman, labels used; baselines under the oracle's. */
export function renderTables(cells: Cell[], mazes: string[]): string[] {
  const lines: string[] = [];
  const find = (maze: string, key: string) => cells.find((c) => c.maze === maze && variantKey(c.variant) === key);
  for (const maze of mazes) {
    for (const loop of ["memory", "rounds"] as Loop[]) {
      for (const teacher of ["oracle", "mistake20"] as Teacher[]) {
        const budgets = BUDGETS.filter((b) => find(maze, `${teacher}/${loop}/${budgetLabel(b)}`));
        if (!budgets.length) continue;
        lines.push(
          `**${maze}**, ${TEACHER_NAMES[teacher]}${loop === "rounds" ? ", round loop" : ""}`,
          "",
          `| labels (budget) | seeds with eval >= ${SUCCESS} | mean eval | mean reward_spearman | mean labels used | eval per seed |`,
          "|---|---|---|---|---|---|",
        );
        for (const b of budgets) lines.push(row(budgetLabel(b), find(maze, `${teacher}/${loop}/${budgetLabel(b)}`)));
        if (teacher === "oracle" && loop === "memory") {
          lines.push(row("no labels (`--labels 0`, shaping on)", find(maze, "nolabels")));
          lines.push(row("sparse only (`--shaping 0`)", find(maze, "sparse")));
        }
        lines.push("");
      }
    }
  }
  return lines;
}
