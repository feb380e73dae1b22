import { describe, expect, it } from "vitest";
import { aggregate, GRID, MAZES, planGrid, renderTables, runArgv, variantKey, type RunResult, type RunSpec, type Variant } from "@/lib/cli/bench-labels-plan";
import { buildSvg, CHART, seriesFromCells, X_KEYS, xFor, yFor, type Series } from "@/lib/cli/bench-labels-svg";
import { parseTrainArgs } from "@/lib/cli/args";

describe("bench:labels grid", () => {
  it("plans every variant at every seed, the mistake teacher only at its budgets, no round loop without --rounds", () => {
    const plan = planGrid({ seeds: 10, mazes: ["r16s1", "dead"], roundLoop: false });
    const perMaze = 2 + GRID.oracle.length + GRID.mistake20.length;
    expect(plan.runs).toHaveLength(2 * perMaze * 10);
    const keys = new Set(plan.runs.map((r) => `${r.maze}|${variantKey(r.variant)}`));
    expect(keys.size).toBe(2 * perMaze);
    for (const key of keys)
      expect(plan.runs.filter((r) => `${r.maze}|${variantKey(r.variant)}` === key).map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(plan.runs.some((r) => r.variant.kind === "oprl" && r.variant.loop === "rounds")).toBe(false);
    expect(plan.runs.some((r) => r.variant.kind === "oprl" && r.variant.teacher === "mistake20" && r.variant.budget === 25)).toBe(false);
    expect(plan.notMeasured[0]).toMatch(/round loop: train.ts has no in-memory round mode/);
    // Seed-major: the first runs cover every cell once.
    expect(new Set(plan.runs.slice(0, keys.size).map((r) => r.seed))).toEqual(new Set([0]));
  });

  it("adds the round loop at 25, 50 and 100 on every maze when the CLI has it, with the web app's round flags", () => {
    const plan = planGrid({ seeds: 2, mazes: ["r16s1", "dead"], roundLoop: true });
    const rounds = plan.runs.filter((r) => r.variant.kind === "oprl" && r.variant.loop === "rounds");
    expect(rounds.map((r) => `${r.maze}/${(r.variant as { budget: unknown }).budget}`).sort()).toEqual([
      "dead/100",
      "dead/100",
      "dead/25",
      "dead/25",
      "dead/50",
      "dead/50",
      "r16s1/100",
      "r16s1/100",
      "r16s1/25",
      "r16s1/25",
      "r16s1/50",
      "r16s1/50",
    ]);
    expect(runArgv(rounds[0])).toEqual(expect.arrayContaining(["--rounds", "--round-episodes", "25", "--pairs-per-round", "10"]));
  });

  it("quick is a 2-seed, one-maze smoke version", () => {
    const plan = planGrid({ seeds: 2, mazes: ["r12s1", "dead"], roundLoop: false, quick: true });
    expect(new Set(plan.runs.map((r) => r.maze))).toEqual(new Set(["r12s1"]));
    expect(plan.runs.length).toBeLessThanOrEqual(16);
  });

  it("rejects an unknown maze", () => {
    expect(() => planGrid({ seeds: 1, mazes: ["nope"], roundLoop: false })).toThrow(/unknown maze nope/);
  });

  it("builds flags train.ts accepts, with the meaning each variant claims", () => {
    const spec = (variant: Variant): RunSpec => ({ maze: "r16s1", variant, seed: 3 });
    const cfg = (v: Variant) => parseTrainArgs(runArgv(spec(v))).config;
    const sparse = cfg({ kind: "sparse" });
    expect(sparse.shaping.beta).toBe(0);
    expect(sparse.seed).toBe(3);
    expect(sparse.env.maxSteps).toBe(150);
    const none = cfg({ kind: "nolabels" });
    expect(none.preferences.budget).toBe(0);
    expect(none.shaping.beta).toBeGreaterThan(0);
    expect(cfg({ kind: "oprl", budget: 50, teacher: "oracle", loop: "memory" }).preferences).toMatchObject({ budget: 50, schedule: "spread" });
    expect(cfg({ kind: "oprl", budget: "unlimited", teacher: "oracle", loop: "memory" }).preferences).toMatchObject({ budget: 1_000_000, schedule: "every" });
    const mistake = cfg({ kind: "oprl", budget: 100, teacher: "mistake20", loop: "memory" });
    expect(mistake.teacher).toMatchObject({ kind: "mistake", epsMistake: 0.2 });
    expect(parseTrainArgs(runArgv({ maze: "dead", variant: { kind: "sparse" }, seed: 0 })).config.env.layout).toMatch(/^S\.+$/m);
    for (const m of Object.keys(MAZES)) expect(() => parseTrainArgs(runArgv({ maze: m, variant: { kind: "sparse" }, seed: 0 }))).not.toThrow();
  });
});

const result = (maze: string, variant: Variant, seed: number, eval_success: number, reward_spearman: number | null, preferences_used: number): RunResult => ({
  spec: { maze, variant, seed },
  summary: { eval_success, reward_spearman, preferences_used, train_seconds: 1 },
});

describe("bench:labels aggregation", () => {
  const o25: Variant = { kind: "oprl", budget: 25, teacher: "oracle", loop: "memory" };
  const results = [
    result("dead", o25, 1, 0.5, 0.8, 25),
    result("dead", o25, 0, 1, 0.6, 25),
    result("dead", o25, 2, 0.95, 0.7, 22),
    result("dead", { kind: "sparse" }, 0, 0, null, 0),
    result("dead", { kind: "sparse" }, 1, 1, null, 0),
    result("dead", { kind: "nolabels" }, 0, 0, null, 0),
  ];

  it("counts seeds at >= 0.95, averages eval, Spearman (where there is one) and labels used", () => {
    const cells = aggregate(results);
    const c = cells.find((x) => variantKey(x.variant) === "oracle/memory/25")!;
    expect(c).toMatchObject({ n: 3, successes: 2, evals: [1, 0.5, 0.95] });
    expect(c.meanEval).toBeCloseTo(0.8167, 3);
    expect(c.meanSpearman).toBeCloseTo(0.7, 6);
    expect(c.meanLabels).toBeCloseTo(24, 6);
    expect(cells.find((x) => x.variant.kind === "sparse")).toMatchObject({ n: 2, successes: 1, meanSpearman: null });
  });

  it("renders a table per maze and teacher with the baselines under the oracle's", () => {
    const text = renderTables(aggregate(results), ["dead"]).join("\n");
    expect(text).toContain("**dead**, oracle teacher");
    expect(text).toContain("| 25 | 2/3 | 0.82 | 0.70 | 24 | 1.00 0.50 0.95 |");
    expect(text).toContain("| sparse only (`--shaping 0`) | 1/2 | 0.50 | - | 0 | 0.00 1.00 |");
    expect(text).toContain("| no labels (`--labels 0`, shaping on) | 0/1 |");
    expect(text).not.toContain("20%-mistake");
  });

  it("makes one solid line per maze for the oracle, starting at the no-label control", () => {
    const series = seriesFromCells(aggregate(results), ["dead"]);
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ label: "dead, oracle", dashed: false });
    expect(series[0].points).toEqual([
      { x: 0, success: 0, spearman: null },
      { x: 25, success: 2 / 3, spearman: expect.closeTo(0.7, 6) },
    ]);
  });
});

describe("bench:labels SVG", () => {
  const series: Series[] = [
    {
      label: "a & <b>",
      color: "#123456",
      dashed: false,
      points: [
        { x: 25, success: 0.5, spearman: 0.9 },
        { x: "unlimited", success: 1, spearman: 1 },
      ],
    },
    { label: "b", color: "#654321", dashed: true, points: [{ x: 100, success: 0, spearman: -0.2 }] },
  ];
  const svg = buildSvg(series, { title: "t", unlimitedNote: "n" });

  it("is well-formed: one root, balanced tags, escaped text", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-z]+)\b[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]);
    }
    expect(stack).toEqual([]);
    expect(svg).toContain("a &amp; &lt;b&gt;");
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(svg.match(/<svg/g)).toHaveLength(1);
  });

  it("maps budgets to evenly spaced x (a log scale of doublings) and values to y, top = 1", () => {
    expect(xFor(0, 0)).toBe(CHART.left);
    expect(xFor(0, "unlimited")).toBe(CHART.left + CHART.panelWidth);
    const step = CHART.panelWidth / (X_KEYS.length - 1);
    expect(xFor(0, 50) - xFor(0, 25)).toBeCloseTo(step, 9);
    expect(xFor(0, 200) - xFor(0, 100)).toBeCloseTo(step, 9);
    expect(xFor(1, 0)).toBe(CHART.left + CHART.panelWidth + CHART.gap);
    expect(yFor(1, 0, 1)).toBe(CHART.top);
    expect(yFor(0, 0, 1)).toBe(CHART.top + CHART.panelHeight);
    expect(yFor(0, -1, 1)).toBe(CHART.top + CHART.panelHeight / 2);
  });

  it("draws each series' points where xFor / yFor put them, dashed for the mistake teacher", () => {
    const lines = [...svg.matchAll(/<polyline class="series" data-series="([^"]*)" points="([^"]*)"[^>]*>/g)];
    // Two panels x two series.
    expect(lines).toHaveLength(4);
    const r = (x: number) => Math.round(x * 10) / 10;
    expect(lines[0][2]).toBe(`${r(xFor(0, 25))},${r(yFor(0.5, 0, 1))} ${r(xFor(0, "unlimited"))},${r(yFor(1, 0, 1))}`);
    // Spearman panel widens to -0.5 for the negative value.
    expect(lines[3][2]).toBe(`${r(xFor(1, 100))},${r(yFor(-0.2, -0.5, 1))}`);
    expect(lines[1][0]).toContain("stroke-dasharray");
    expect(lines[0][0]).not.toContain("stroke-dasharray");
    // The mistake teacher's point as a hollow square centred on it, in each panel.
    const squares = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" fill="none" stroke="#654321"/g)].map((m) => [
      Number(m[1]) + Number(m[3]) / 2,
      Number(m[2]) + Number(m[3]) / 2,
    ]);
    expect(squares).toHaveLength(2);
    expect(squares[0][0]).toBeCloseTo(xFor(0, 100), 0);
    expect(squares[0][1]).toBeCloseTo(yFor(0, 0, 1), 0);
  });
});
