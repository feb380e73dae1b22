"use client";
// The experiment's dashboards, drawn with recharts: learning curves, reward-model quality, the learned reward
// per cell beside the true potential (one shared, labelled colour scale), labels and agreement, and two
// experiments or rounds on one chart. Every axis says what it measures and in which unit; rates (0-100%) never
// share an axis with losses; every accuracy shows its sample size.
// recharts 2, not 3: version 2 draws a chart in the render itself, so the server's HTML already holds the first
// screen's charts as SVG (shown before the page's code has loaded and hydrated); version 3 draws from a store
// filled in effects, so its server HTML holds no chart and nothing shows until hydration ends (~1.5 s here).
import { useEffect, useMemo, useRef, useState } from "react";
import useSWR from "swr";
import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { fetcher } from "./api";
import { CHART_COLORS as C, HEATMAP_STOPS, SIDE_COLORS } from "./theme";
import { normalise, percent as pct, rateWithSample } from "./dashboard-text";
import type { DashboardDto, DashboardResponse, EpisodePoint } from "@/lib/contracts/dashboard";
import { MOVING_AVERAGE_WINDOW } from "@/lib/contracts/episode-curves";
import type { ExperimentSummaryDto } from "@/lib/contracts/experiment";
import { COUNTED_CHOICES } from "@/lib/contracts/words";

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(digits));

/** Room for the axis titles (bottom and left, and right where a second axis has one). */
const MARGIN = { top: 8, right: 12, left: 6, bottom: 16 };
const MARGIN_2 = { ...MARGIN, right: 6 };
const TICK = { fontSize: 11, fill: C.axis };
const xTitle = (value: string) => ({ value, position: "insideBottom" as const, offset: -10, fontSize: 11, fill: C.axis });
const yTitle = (value: string, side: "left" | "right" = "left") => ({
  value,
  angle: side === "left" ? -90 : 90,
  position: side === "left" ? ("insideLeft" as const) : ("insideRight" as const),
  style: { textAnchor: "middle" as const },
  fontSize: 11,
  fill: C.axis,
});
const percentTick = (v: number) => `${Math.round(v * 100)}%`;
/**
 * Every tick of a numeric axis (recharts' few "nice" ones), for charts the server draws: the default thins and
 * shifts ticks by measuring their text, which the server cannot, so the hydrated chart would not match its HTML.
 */
const ALL_TICKS = 0;

/**
 * The width the server draws the first screen's charts at: a half-width card at the page's widest (max-w-6xl, two
 * columns from lg up; most desktop windows). The server cannot measure; the browser redraws at the card's measured
 * width right after hydration, and until then a narrower card shrinks the drawing to fit (globals.css).
 */
const SERVER_CHART_WIDTH = 526;

/**
 * A chart as wide as its card. `server`: drawn in the server's HTML at SERVER_CHART_WIDTH (charts on the first
 * screen); otherwise drawn only once the browser has measured the card (charts drawn when they near the screen).
 */
function Fit({ height, server, children }: { height: number; server?: boolean; children: React.ReactElement }) {
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={server ? { width: SERVER_CHART_WIDTH, height } : undefined}>
      {children}
    </ResponsiveContainer>
  );
}

/**
 * Mounts its children once they come near the screen, keeping their height until then: the charts below the fold
 * do not delay the first ones (recharts draws every chart on the main thread, and a slow machine shows it).
 */
function WhenVisible({ children, height }: { children: React.ReactNode; height: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: "300px" });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return (
    <div ref={ref} style={seen ? undefined : { minHeight: height }} data-lazy={seen ? "shown" : "waiting"}>
      {seen ? children : null}
    </div>
  );
}

function Card({
  title,
  children,
  testId,
  wide,
  note,
  lazyHeight,
}: {
  title: string;
  children: React.ReactNode;
  testId?: string;
  wide?: boolean;
  note?: React.ReactNode;
  /** Draw the content only when the card nears the screen (its height until then). */
  lazyHeight?: number;
}) {
  return (
    <section className={`min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm ${wide ? "lg:col-span-2" : ""}`} data-testid={testId}>
      <h3 className="text-sm font-semibold text-slate-700">{title}</h3>
      {note && <p className="mb-1 text-xs text-slate-500">{note}</p>}
      <div className="mt-2">{lazyHeight ? <WhenVisible height={lazyHeight}>{children}</WhenVisible> : children}</div>
    </section>
  );
}

/** A chart whose data the page's first poll is still fetching (the server rendered the first screen only). */
function Loading() {
  return (
    <p className="flex h-48 items-center justify-center text-center text-sm text-slate-500" data-testid="chart-loading">
      Loading…
    </p>
  );
}

function Empty({ children }: { children: React.ReactNode }) {
  return <p className="flex h-48 items-center justify-center text-center text-sm text-slate-500">{children}</p>;
}

function roundStarts(episodes: EpisodePoint[]): { episode: number; round: number }[] {
  const out: { episode: number; round: number }[] = [];
  let last = -1;
  for (const e of episodes) {
    if (e.round !== last) out.push({ episode: e.episode, round: e.round });
    last = e.round;
  }
  return out;
}

/** Round boundaries as dashed lines, labelled while there are few enough to read; none when they would fill the chart. */
function boundaryLines(episodes: EpisodePoint[]) {
  const starts = roundStarts(episodes).slice(1);
  if (starts.length > 40) return [];
  const labelled = starts.length <= 12;
  return starts.map((s) => (
    <ReferenceLine
      key={s.episode}
      x={s.episode}
      stroke={C.roundLine}
      strokeDasharray="3 3"
      label={labelled ? { value: `R${s.round}`, fontSize: 10, position: "insideTopLeft", fill: C.axis } : undefined}
    />
  ));
}

/** `complete` false: `data` is the server's first screen (the last round only, no reward-model steps) until the first poll answers. */
export function Dashboards({ data, experimentId, complete = true }: { data: DashboardDto; experimentId: string; complete?: boolean }) {
  const boundaries = useMemo(() => boundaryLines(data.episodes), [data.episodes]);
  const last = data.rounds[data.rounds.length - 1] ?? null;
  const { bucketSize, total } = data.episodeStats;
  const perPoint =
    bucketSize > 1
      ? `${total.toLocaleString("en")} episodes, each point the mean of up to ${bucketSize} (the band: lowest to highest return).`
      : `${total} episodes.`;
  const heldOut = rateWithSample(last?.heldOutAccuracy, last?.heldOutPairs ?? 0);
  const agreement = rateWithSample(data.agreement.rate, data.agreement.compared);
  const episodeX = (
    <XAxis dataKey="episode" type="number" domain={["dataMin", "dataMax"]} tick={TICK} interval={ALL_TICKS} label={xTitle("episode")} allowDecimals={false} />
  );
  return (
    <div
      className="grid gap-4 lg:grid-cols-2"
      data-testid="dashboards"
      data-rounds={complete ? data.rounds.length : undefined}
      data-episodes={data.episodes.length}
      data-complete={complete}
    >
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:col-span-2">
        <Stat
          label="Eval success (last round)"
          value={pct(last?.evalSuccess)}
          hint="greedy policy, share of evaluation episodes reaching the goal"
          testId="stat-eval"
        />
        <Stat
          label="Held-out accuracy (last round)"
          value={heldOut.value}
          sample={heldOut.sample}
          caveat={last ? heldOut.caveat : null}
          testId="stat-heldout"
        />
        <Stat
          label="Rank corr. with −distance"
          value={fmt(last?.spearman)}
          hint="Spearman, learned reward vs true potential (1 = same order)"
          testId="stat-spearman"
        />
        <Stat
          label="Human–teacher agreement"
          value={agreement.value}
          sample={`${agreement.sample} comparisons on ${data.agreement.pairs} pairs`}
          caveat={agreement.caveat}
          testId="stat-agreement"
        />
      </div>

      <Card title="Return per episode" note={`Mean return (line: moving average over ${MOVING_AVERAGE_WINDOW}+ episodes). ${perPoint}`} testId="chart-return">
        {data.episodes.length ? (
          <Fit height={230} server>
            <ComposedChart id="plot-return" data={data.episodes} margin={MARGIN}>
              <CartesianGrid stroke={C.grid} />
              {episodeX}
              <YAxis tick={TICK} interval={ALL_TICKS} label={yTitle("return (sum of rewards)")} width={56} />
              <Tooltip />
              {boundaries}
              {bucketSize > 1 ? (
                <Area
                  dataKey={(p: EpisodePoint) => [p.returnMin, p.returnMax]}
                  stroke="none"
                  fill={C.returnSpread}
                  fillOpacity={0.6}
                  name="lowest to highest"
                  isAnimationActive={false}
                />
              ) : (
                <Scatter dataKey="return" fill={C.returnSpread} name="return" isAnimationActive={false} shape="circle" legendType="none" />
              )}
              <Line dataKey="returnMA" stroke={C.return} dot={false} strokeWidth={2} name="moving average" isAnimationActive={false} />
            </ComposedChart>
          </Fit>
        ) : (
          <Empty>No episodes yet: start a training round.</Empty>
        )}
      </Card>

      <Card title="Success rate" note={`Share of episodes reaching the goal, moving average over ${MOVING_AVERAGE_WINDOW}+ episodes.`} testId="chart-success">
        {data.episodes.length ? (
          <Fit height={230} server>
            <LineChart id="plot-success" data={data.episodes} margin={MARGIN}>
              <CartesianGrid stroke={C.grid} />
              {episodeX}
              <YAxis domain={[0, 1]} tick={TICK} interval={ALL_TICKS} tickFormatter={percentTick} label={yTitle("success rate (%)")} width={56} />
              <Tooltip formatter={(v) => pct(Number(v))} />
              {boundaries}
              <Line dataKey="successMA" stroke={C.success} dot={false} strokeWidth={2} name="success rate" isAnimationActive={false} />
            </LineChart>
          </Fit>
        ) : (
          <Empty>No episodes yet.</Empty>
        )}
      </Card>

      <Card
        title="Reward model: loss and batch accuracy per update step"
        note={
          data.rewardUpdateStats.stride > 1
            ? `Every ${data.rewardUpdateStats.stride}th of ${data.rewardUpdateStats.total} steps. Loss on the left axis, accuracy (%) on the right.`
            : "Loss on the left axis, accuracy on the training labels (%) on the right."
        }
        testId="chart-reward-loss"
        lazyHeight={230}
      >
        {!complete ? (
          <Loading />
        ) : data.rewardUpdates.length ? (
          <Fit height={230}>
            <LineChart data={data.rewardUpdates} margin={MARGIN_2}>
              <CartesianGrid stroke={C.grid} />
              <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={TICK} label={xTitle("update step")} allowDecimals={false} />
              <YAxis yAxisId="loss" tick={TICK} label={yTitle("loss (nats per pair)")} width={56} />
              <YAxis
                yAxisId="acc"
                orientation="right"
                domain={[0, 1]}
                tick={TICK}
                tickFormatter={percentTick}
                label={yTitle("accuracy (%)", "right")}
                width={56}
              />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11, paddingTop: 8 }} verticalAlign="top" />
              <Line yAxisId="loss" dataKey="loss" stroke={C.rewardLoss} dot={false} name="Bradley–Terry loss" isAnimationActive={false} />
              <Line yAxisId="acc" dataKey="accuracy" stroke={C.accuracy} dot={false} name="batch accuracy" isAnimationActive={false} />
            </LineChart>
          </Fit>
        ) : (
          <Empty>The reward model has not been updated yet (it needs labelled pairs).</Empty>
        )}
      </Card>

      <Card
        title="Policy loss"
        note="Mean actor-critic loss of the policy updates (unitless; lower is not always better)."
        testId="chart-policy-loss"
        lazyHeight={230}
      >
        {data.episodes.some((e) => e.policyLoss !== null) ? (
          <Fit height={230}>
            <LineChart data={data.episodes} margin={MARGIN}>
              <CartesianGrid stroke={C.grid} />
              {episodeX}
              <YAxis tick={TICK} label={yTitle("policy loss")} width={56} />
              <Tooltip />
              {boundaries}
              <Line dataKey="policyLoss" stroke={C.policyLoss} dot={false} name="policy loss" isAnimationActive={false} connectNulls />
            </LineChart>
          </Fit>
        ) : (
          <Empty>No policy updates yet.</Empty>
        )}
      </Card>

      <PerRound data={data} complete={complete} />
      <Heatmaps data={data} />
      <Labels data={data} />
      <Compare data={data} experimentId={experimentId} />
    </div>
  );
}

function Stat({
  label,
  value,
  hint,
  sample,
  caveat,
  testId,
}: {
  label: string;
  value: string;
  hint?: string;
  sample?: string;
  caveat?: string | null;
  testId?: string;
}) {
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm" title={hint}>
      <div className="text-xs text-slate-500">{label}</div>
      <div className="flex flex-wrap items-baseline gap-x-1.5">
        <span className="text-xl font-semibold tabular-nums" data-testid={testId}>
          {value}
        </span>
        {sample && (
          <span className="text-xs tabular-nums text-slate-500" data-testid={testId && `${testId}-n`}>
            ({sample})
          </span>
        )}
      </div>
      {caveat && (
        <div className="text-[11px] font-medium text-amber-700" data-testid={testId && `${testId}-caveat`}>
          {caveat}
        </div>
      )}
      {hint && !caveat && <div className="truncate text-[11px] text-slate-400">{hint}</div>}
    </div>
  );
}

/** Per round: rates (%) on one chart, the reward model's rank correlation and loss on another. */
function PerRound({ data, complete }: { data: DashboardDto; complete: boolean }) {
  const rows = data.rounds.map((r) => ({ ...r, heldOutLabel: `held-out accuracy (n = ${r.heldOutPairs})` }));
  const fewHeldOut = data.rounds.some((r) => r.heldOutAccuracy !== null && r.heldOutPairs < 20);
  // A dot per round while they can be told apart; hundreds of SVG circles only slow the page down.
  const dot = rows.length <= 30;
  return (
    <Card
      title="Per round"
      note={
        <>
          Left: rates in %. Right: the reward model, rank correlation (−1..1) and loss (nats per pair).
          {fewHeldOut && " Held-out accuracy on fewer than 20 pairs is too few to judge (hover a round for n)."}
        </>
      }
      testId="chart-rounds"
      wide
      lazyHeight={230}
    >
      {!complete ? (
        <Loading />
      ) : rows.length ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Fit height={230}>
            <LineChart data={rows} margin={MARGIN} data-testid="chart-rounds-rates">
              <CartesianGrid stroke={C.grid} />
              <XAxis dataKey="round" tick={TICK} allowDecimals={false} label={xTitle("round")} />
              <YAxis domain={[0, 1]} tick={TICK} tickFormatter={percentTick} label={yTitle("rate (%)")} width={56} />
              <Tooltip
                formatter={(v, name, item) =>
                  name === "held-out accuracy"
                    ? [`${pct(Number(v))} (n = ${(item.payload as { heldOutPairs: number }).heldOutPairs})`, name]
                    : [pct(Number(v)), name]
                }
              />
              <Legend wrapperStyle={{ fontSize: 11, paddingTop: 8 }} verticalAlign="top" />
              <Line dataKey="evalSuccess" stroke={C.success} name="eval success" dot={dot} isAnimationActive={false} />
              <Line dataKey="successRate" stroke={C.trainSuccess} name="train success" dot={dot} isAnimationActive={false} />
              <Line dataKey="heldOutAccuracy" stroke={C.accuracy} name="held-out accuracy" dot={dot} isAnimationActive={false} connectNulls />
            </LineChart>
          </Fit>
          <Fit height={230}>
            <LineChart data={rows} margin={MARGIN_2} data-testid="chart-rounds-model">
              <CartesianGrid stroke={C.grid} />
              <XAxis dataKey="round" tick={TICK} allowDecimals={false} label={xTitle("round")} />
              <YAxis yAxisId="rho" domain={[-1, 1]} tick={TICK} label={yTitle("Spearman ρ")} width={56} />
              <YAxis yAxisId="loss" orientation="right" tick={TICK} label={yTitle("loss (nats per pair)", "right")} width={56} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11, paddingTop: 8 }} verticalAlign="top" />
              <Line yAxisId="rho" dataKey="spearman" stroke={C.spearman} name="Spearman vs −distance" dot={dot} isAnimationActive={false} connectNulls />
              <Line yAxisId="loss" dataKey="rewardLoss" stroke={C.rewardLoss} name="reward loss" dot={dot} isAnimationActive={false} connectNulls />
            </LineChart>
          </Fit>
        </div>
      ) : (
        <Empty>No finished round yet.</Empty>
      )}
    </Card>
  );
}

/** Walls: grey stripes, unlike any colour of the scale. */
const WALL = "repeating-linear-gradient(45deg, #e2e8f0 0 3px, #94a3b8 3px 5px)";

/** The heatmap colour of a value on the shared 0..1 scale. */
function colour(t: number): string {
  const stops = HEATMAP_STOPS.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c.join(",")})`;
}

function Grid({
  title,
  range,
  values,
  data,
  testId,
}: {
  title: string;
  range: string;
  values: (number | null)[];
  data: DashboardDto["heatmap"];
  testId: string;
}) {
  const n = normalise(values, data.walls);
  return (
    <figure className="min-w-0" data-testid={testId}>
      <figcaption className="mb-1 text-xs text-slate-600">
        <div className="font-medium">{title}</div>
        <div className="tabular-nums text-slate-500">{range}</div>
      </figcaption>
      <div className="grid gap-px rounded bg-slate-300 p-px" style={{ gridTemplateColumns: `repeat(${data.cols}, minmax(0, 1fr))` }}>
        {values.map((v, i) => {
          const t = n?.scaled[i] ?? null;
          return (
            <div
              key={i}
              className="relative aspect-square text-[9px] leading-none"
              style={{ background: data.walls[i] ? WALL : t === null ? "#f8fafc" : colour(t) }}
              title={data.walls[i] ? "wall" : `cell ${i}: ${v === null ? "unreachable" : `${v.toFixed(3)} (scale ${fmt(t)})`}`}
            >
              {(i === data.start || i === data.goal) && (
                <span className="absolute inset-0 flex items-center justify-center font-bold text-white [text-shadow:0_0_2px_#000]">
                  {i === data.start ? "S" : "G"}
                </span>
              )}
            </div>
          );
        })}
      </div>
    </figure>
  );
}

/** The shared scale of a heatmap pair: what 0 and 1 mean, and the colours between. */
function ScaleLegend() {
  return (
    <div className="text-xs text-slate-600" data-testid="heatmap-legend">
      <div className="mb-1 font-medium">Colour: normalised potential (no unit), one scale for both maps</div>
      <div className="h-3 rounded" style={{ background: `linear-gradient(to right, ${HEATMAP_STOPS.join(", ")})` }} aria-hidden />
      <div className="mt-0.5 flex justify-between tabular-nums">
        <span>0 = the map’s lowest cell</span>
        <span>0.5</span>
        <span>1 = its highest</span>
      </div>
      <p className="mt-1 text-slate-500">
        Each map is scaled from its own lowest to highest reachable cell, so the colours compare where each puts the goal side, not units. Grey stripes: walls;
        white: unreachable.
      </p>
    </div>
  );
}

function Heatmaps({ data }: { data: DashboardDto }) {
  const h = data.heatmap;
  const points = useMemo(
    () =>
      h.learned ? h.potential.flatMap((p, i) => (p === null || h.walls[i] || i === h.goal ? [] : [{ potential: p, learned: h.learned![i], cell: i }])) : [],
    [h],
  );
  const range = (values: (number | null)[], unit: string) => {
    const n = normalise(values, h.walls);
    const digits = Number.isInteger(n?.lo) && Number.isInteger(n?.hi) ? 0 : 2;
    return n ? `${unit}: ${fmt(n.lo, digits)} (0) … ${fmt(n.hi, digits)} (1)` : unit;
  };
  return (
    <Card
      title={`Learned reward per cell${h.round ? ` (after round ${h.round})` : ""} beside the true potential`}
      note="The true potential is minus the number of steps to the goal along the maze; a good reward model colours the maze the same way."
      testId="heatmap"
      wide
    >
      {/* The two maps side by side at every width, so they can be compared cell by cell. */}
      <div className="grid grid-cols-2 items-start gap-3 md:grid-cols-[1fr_1fr_1.2fr] md:gap-4">
        {h.learned ? (
          <Grid title="Learned step reward r̂(s)" range={range(h.learned, "reward-model units")} values={h.learned} data={h} testId="heatmap-learned" />
        ) : (
          <Empty>No reward model yet.</Empty>
        )}
        <Grid title="True potential −distance(s, goal)" range={range(h.potential, "steps")} values={h.potential} data={h} testId="heatmap-truth" />
        <div className="col-span-2 grid gap-3 md:col-span-1">
          <ScaleLegend />
          <p className="text-xs text-slate-600">
            Each free cell, learned vs true. Spearman rank correlation <strong data-testid="spearman">{fmt(h.spearman)}</strong> (1 = same order)
          </p>
          {points.length ? (
            <WhenVisible height={210}>
              <Fit height={210}>
                <ScatterChart margin={MARGIN}>
                  <CartesianGrid stroke={C.grid} />
                  <XAxis dataKey="potential" type="number" name="true potential" tick={TICK} label={xTitle("true potential (−steps to goal)")} />
                  <YAxis dataKey="learned" type="number" name="learned reward" tick={TICK} label={yTitle("learned r̂(s)")} width={56} />
                  <Tooltip cursor={{ strokeDasharray: "3 3" }} />
                  <Scatter data={points} fill={C.spearman} isAnimationActive={false} />
                </ScatterChart>
              </Fit>
            </WhenVisible>
          ) : (
            <Empty>Appears after the first round.</Empty>
          )}
        </div>
      </div>
    </Card>
  );
}

function Labels({ data }: { data: DashboardDto }) {
  const sources = [
    { source: "human", count: data.labels.bySource.human },
    { source: "synthetic", count: data.labels.bySource.synthetic },
  ];
  const m = data.agreement.matrix;
  const agreement = rateWithSample(data.agreement.rate, data.agreement.compared);
  return (
    <Card title="Labels by source and by person; human vs teacher on pairs both labelled" testId="labels" wide lazyHeight={190}>
      <div className="grid gap-4 md:grid-cols-3">
        <Fit height={190}>
          <BarChart data={sources} margin={MARGIN}>
            <CartesianGrid stroke={C.grid} />
            <XAxis dataKey="source" tick={TICK} label={xTitle("source")} />
            <YAxis allowDecimals={false} tick={TICK} label={yTitle("labels")} width={48} />
            <Tooltip />
            <Bar dataKey="count" name="labels" fill={C.neutral} isAnimationActive={false} />
          </BarChart>
        </Fit>
        {data.labels.byPerson.length ? (
          <Fit height={190}>
            <BarChart data={data.labels.byPerson} layout="vertical" margin={{ ...MARGIN, left: 10 }}>
              <CartesianGrid stroke={C.grid} />
              <XAxis type="number" allowDecimals={false} tick={TICK} label={xTitle("labels")} />
              <YAxis type="category" dataKey="name" width={70} tick={TICK} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} verticalAlign="top" />
              <Bar dataKey="left" stackId="a" fill={SIDE_COLORS.left} isAnimationActive={false} />
              <Bar dataKey="right" stackId="a" fill={SIDE_COLORS.right} isAnimationActive={false} />
              <Bar dataKey="equal" stackId="a" fill={C.equal} isAnimationActive={false} />
              <Bar dataKey="skip" stackId="a" fill={C.skip} isAnimationActive={false} />
            </BarChart>
          </Fit>
        ) : (
          <Empty>No human labels yet.</Empty>
        )}
        <div className="text-sm">
          <p className="mb-2">
            Agreement <strong data-testid="agreement-rate">{agreement.value}</strong> ({agreement.sample} comparisons on {data.agreement.pairs} pairs)
            {agreement.caveat && <span className="text-amber-700"> — {agreement.caveat}</span>}.
          </p>
          <table className="w-full text-center text-xs tabular-nums">
            <thead>
              <tr>
                <th className="text-left font-normal text-slate-500">person ↓ teacher →</th>
                {COUNTED_CHOICES.map((c) => (
                  <th key={c} className="font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {COUNTED_CHOICES.map((h) => (
                <tr key={h}>
                  <th className="text-left font-medium">{h}</th>
                  {COUNTED_CHOICES.map((s) => (
                    <td key={s} className={h === s ? "bg-green-50" : ""}>
                      {m[h]?.[s] ?? 0}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Card>
  );
}

function Compare({ data, experimentId }: { data: DashboardDto; experimentId: string }) {
  const [mode, setMode] = useState<"rounds" | "experiments">("rounds");
  const rounds = [...new Set(data.episodes.map((e) => e.round))];
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | null>(null);
  const roundA = a ?? rounds[0] ?? null;
  const roundB = b ?? rounds[rounds.length - 1] ?? null;
  const { data: list } = useSWR<{ experiments: ExperimentSummaryDto[] }>(mode === "experiments" ? "/api/experiments" : null, fetcher);
  const [other, setOther] = useState<string>("");
  const otherId = other || list?.experiments.find((e) => e.id !== experimentId)?.id || "";
  const { data: other_ } = useSWR<DashboardResponse>(mode === "experiments" && otherId ? `/api/experiments/${otherId}/dashboard` : null, fetcher);
  const otherData = other_ && !("unchanged" in other_) ? other_ : undefined;

  const series = useMemo(() => {
    if (mode === "rounds") {
      const byX = new Map<number, Record<string, number>>();
      for (const e of data.episodes) {
        if (e.round !== roundA && e.round !== roundB) continue;
        const row = byX.get(e.inRound) ?? { x: e.inRound };
        if (e.round === roundA) row.a = e.returnMA;
        if (e.round === roundB) row.b = e.returnMA;
        byX.set(e.inRound, row);
      }
      return [...byX.values()].sort((p, q) => p.x - q.x);
    }
    const byX = new Map<number, Record<string, number>>();
    for (const e of data.episodes) byX.set(e.episode, { x: e.episode, a: e.returnMA });
    for (const e of otherData?.episodes ?? []) byX.set(e.episode, { ...(byX.get(e.episode) ?? { x: e.episode }), b: e.returnMA });
    return [...byX.values()].sort((p, q) => p.x - q.x);
  }, [mode, data.episodes, otherData, roundA, roundB]);

  const nameA = mode === "rounds" ? `round ${roundA}` : data.experiment.name;
  const nameB = mode === "rounds" ? `round ${roundB}` : (otherData?.experiment.name ?? "other");
  const select = "rounded border border-slate-300 px-1 py-0.5 text-xs";
  return (
    <Card title="Compare: return (moving average) of two rounds or two experiments" testId="compare" wide lazyHeight={260}>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
        <select className={select} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} aria-label="Compare what">
          <option value="rounds">two rounds of this experiment</option>
          <option value="experiments">this experiment with another</option>
        </select>
        {mode === "rounds" ? (
          <>
            <select className={select} value={roundA ?? ""} onChange={(e) => setA(Number(e.target.value))} aria-label="First round">
              {rounds.map((r) => (
                <option key={r} value={r}>
                  round {r}
                </option>
              ))}
            </select>
            vs
            <select className={select} value={roundB ?? ""} onChange={(e) => setB(Number(e.target.value))} aria-label="Second round">
              {rounds.map((r) => (
                <option key={r} value={r}>
                  round {r}
                </option>
              ))}
            </select>
          </>
        ) : (
          <select className={select} value={otherId} onChange={(e) => setOther(e.target.value)} aria-label="Other experiment">
            {list?.experiments
              .filter((e) => e.id !== experimentId)
              .map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
          </select>
        )}
      </div>
      {series.length ? (
        <Fit height={230}>
          <LineChart data={series} margin={MARGIN}>
            <CartesianGrid stroke={C.grid} />
            <XAxis dataKey="x" type="number" domain={["dataMin", "dataMax"]} tick={TICK} label={xTitle(mode === "rounds" ? "episode in round" : "episode")} />
            <YAxis tick={TICK} label={yTitle("return (moving average)")} width={56} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 11 }} verticalAlign="top" />
            <Line dataKey="a" name={nameA} stroke={C.compareA} dot={false} isAnimationActive={false} connectNulls />
            <Line dataKey="b" name={nameB} stroke={C.compareB} dot={false} isAnimationActive={false} connectNulls />
          </LineChart>
        </Fit>
      ) : (
        <Empty>Nothing to compare yet.</Empty>
      )}
    </Card>
  );
}
