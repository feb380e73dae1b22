"use client";
// The experiment's dashboards, drawn with recharts: learning curves, reward-model quality, the learned reward
// per cell beside the true potential, labels and agreement, and two experiments or rounds on one chart.
import { useMemo, useState } from "react";
import useSWR from "swr";
import {
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
import { SIDE_COLORS } from "./theme";
import type { DashboardDto, EpisodePoint } from "@/lib/contracts/dashboard";
import type { ExperimentSummaryDto } from "@/lib/contracts/experiment";
import { COUNTED_CHOICES } from "@/lib/contracts/words";

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? "–" : x.toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

function Card({ title, children, testId, wide }: { title: string; children: React.ReactNode; testId?: string; wide?: boolean }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-3 shadow-sm ${wide ? "lg:col-span-2" : ""}`} data-testid={testId}>
      <h3 className="mb-2 text-sm font-semibold text-slate-700">{title}</h3>
      {children}
    </section>
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

export function Dashboards({ data, experimentId }: { data: DashboardDto; experimentId: string }) {
  const starts = useMemo(() => roundStarts(data.episodes), [data.episodes]);
  const last = data.rounds[data.rounds.length - 1] ?? null;
  const boundaries = starts
    .slice(1)
    .map((s) => (
      <ReferenceLine
        key={s.episode}
        x={s.episode}
        stroke="#94a3b8"
        strokeDasharray="3 3"
        label={{ value: `R${s.round}`, fontSize: 10, position: "insideTopLeft" }}
      />
    ));
  return (
    <div className="grid gap-4 lg:grid-cols-2" data-testid="dashboards" data-rounds={data.rounds.length} data-episodes={data.episodes.length}>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:col-span-2">
        <Stat label="Eval success (last round)" value={pct(last?.evalSuccess)} testId="stat-eval" />
        <Stat
          label="Held-out accuracy"
          value={pct(last?.heldOutAccuracy)}
          hint={last ? `on ${last.heldOutPairs} held-out labels the score can order` : undefined}
          testId="stat-heldout"
        />
        <Stat label="Rank corr. with −distance" value={fmt(last?.spearman)} hint="Spearman, learned reward vs true potential" testId="stat-spearman" />
        <Stat
          label="Human–teacher agreement"
          value={pct(data.agreement.rate)}
          hint={`${data.agreement.pairs} pairs labelled by both`}
          testId="stat-agreement"
        />
      </div>

      <Card title="Return per episode (dots) and 20-episode moving average" testId="chart-return">
        {data.episodes.length ? (
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={data.episodes} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis dataKey="episode" type="number" domain={["dataMin", "dataMax"]} fontSize={11} />
              <YAxis fontSize={11} />
              <Tooltip />
              {boundaries}
              <Scatter dataKey="return" fill="#93c5fd" name="return" isAnimationActive={false} shape="circle" legendType="none" />
              <Line dataKey="returnMA" stroke="#1d4ed8" dot={false} strokeWidth={2} name="moving average" isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No episodes yet: start a training round.</Empty>
        )}
      </Card>

      <Card title="Success rate (20-episode moving average)" testId="chart-success">
        {data.episodes.length ? (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data.episodes} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis dataKey="episode" type="number" domain={["dataMin", "dataMax"]} fontSize={11} />
              <YAxis domain={[0, 1]} fontSize={11} />
              <Tooltip />
              {boundaries}
              <Line dataKey="successMA" stroke="#16a34a" dot={false} strokeWidth={2} name="success rate" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No episodes yet.</Empty>
        )}
      </Card>

      <Card title="Reward-model loss and batch accuracy over updates" testId="chart-reward-loss">
        {data.rewardUpdates.length ? (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data.rewardUpdates} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis dataKey="step" fontSize={11} />
              <YAxis yAxisId="loss" fontSize={11} />
              <YAxis yAxisId="acc" orientation="right" domain={[0, 1]} fontSize={11} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Line yAxisId="loss" dataKey="loss" stroke="#9333ea" dot={false} name="Bradley-Terry loss" isAnimationActive={false} />
              <Line yAxisId="acc" dataKey="accuracy" stroke="#0d9488" dot={false} name="accuracy" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        ) : (
          <Empty>The reward model has not been updated yet (it needs labelled pairs).</Empty>
        )}
      </Card>

      <Card title="Policy loss per episode" testId="chart-policy-loss">
        {data.episodes.some((e) => e.policyLoss !== null) ? (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data.episodes} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis dataKey="episode" type="number" domain={["dataMin", "dataMax"]} fontSize={11} />
              <YAxis fontSize={11} />
              <Tooltip />
              {boundaries}
              <Line dataKey="policyLoss" stroke="#dc2626" dot={false} name="policy loss" isAnimationActive={false} connectNulls />
            </LineChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No policy updates yet.</Empty>
        )}
      </Card>

      <Card title="Per round: evaluation success, held-out accuracy, rank correlation" testId="chart-rounds" wide>
        {data.rounds.length ? (
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data.rounds} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis dataKey="round" fontSize={11} allowDecimals={false} />
              <YAxis domain={[-1, 1]} fontSize={11} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Line dataKey="evalSuccess" stroke="#16a34a" name="eval success" isAnimationActive={false} />
              <Line dataKey="successRate" stroke="#86efac" name="train success" isAnimationActive={false} />
              <Line dataKey="heldOutAccuracy" stroke="#0d9488" name="held-out accuracy" isAnimationActive={false} connectNulls />
              <Line dataKey="spearman" stroke="#7c3aed" name="Spearman vs −distance" isAnimationActive={false} connectNulls />
              <Line dataKey="rewardLoss" stroke="#c084fc" name="reward loss" isAnimationActive={false} connectNulls />
            </LineChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No finished round yet.</Empty>
        )}
      </Card>

      <Heatmaps data={data} />
      <Labels data={data} />
      <Compare data={data} experimentId={experimentId} />
    </div>
  );
}

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" title={hint}>
      <div className="text-xs text-slate-500">{label}</div>
      <div className="text-xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
      {hint && <div className="truncate text-[11px] text-slate-400">{hint}</div>}
    </div>
  );
}

/** Walls: grey stripes, unlike any colour of the scale. */
const WALL = "repeating-linear-gradient(45deg, #e2e8f0 0 3px, #94a3b8 3px 5px)";

/** Blue (low) to red (high) for a value scaled to [0, 1]. */
function colour(t: number): string {
  const stops = [
    [49, 54, 149],
    [69, 117, 180],
    [171, 217, 233],
    [254, 224, 144],
    [244, 109, 67],
  ];
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c.join(",")})`;
}

function Grid({ title, values, data, testId }: { title: string; values: (number | null)[]; data: DashboardDto["heatmap"]; testId: string }) {
  const free = values.filter((v, i): v is number => v !== null && !data.walls[i]);
  const lo = Math.min(...free);
  const hi = Math.max(...free);
  return (
    <figure className="min-w-0" data-testid={testId}>
      <figcaption className="mb-1 flex justify-between text-xs text-slate-600">
        <span>{title}</span>
        {free.length > 0 && (
          <span className="tabular-nums text-slate-400">
            {lo.toFixed(2)} … {hi.toFixed(2)}
          </span>
        )}
      </figcaption>
      <div className="grid gap-px rounded bg-slate-300 p-px" style={{ gridTemplateColumns: `repeat(${data.cols}, minmax(0, 1fr))` }}>
        {values.map((v, i) => (
          <div
            key={i}
            className="relative aspect-square text-[9px] leading-none"
            style={{ background: data.walls[i] ? WALL : v === null ? "#f8fafc" : colour(hi > lo ? (v - lo) / (hi - lo) : 0.5) }}
            title={data.walls[i] ? "wall" : `cell ${i}: ${v === null ? "–" : v.toFixed(3)}`}
          >
            {(i === data.start || i === data.goal) && (
              <span className="absolute inset-0 flex items-center justify-center font-bold text-white [text-shadow:0_0_2px_#000]">
                {i === data.start ? "S" : "G"}
              </span>
            )}
          </div>
        ))}
      </div>
    </figure>
  );
}

function Heatmaps({ data }: { data: DashboardDto }) {
  const h = data.heatmap;
  const points = useMemo(
    () =>
      h.learned ? h.potential.flatMap((p, i) => (p === null || h.walls[i] || i === h.goal ? [] : [{ potential: p, learned: h.learned![i], cell: i }])) : [],
    [h],
  );
  return (
    <Card title={`Learned reward per cell${h.round ? ` (after round ${h.round})` : ""} beside the true potential −distance to goal`} testId="heatmap" wide>
      <div className="grid items-start gap-4 md:grid-cols-[1fr_1fr_1.2fr]">
        {h.learned ? <Grid title="Learned step reward r̂(s)" values={h.learned} data={h} testId="heatmap-learned" /> : <Empty>No reward model yet.</Empty>}
        <Grid title="True potential −distance(s, goal)" values={h.potential} data={h} testId="heatmap-truth" />
        <div>
          <p className="mb-1 text-xs text-slate-600">
            Each free cell: learned vs true. Spearman rank correlation <strong data-testid="spearman">{fmt(h.spearman)}</strong> (1 = same order)
          </p>
          {points.length ? (
            <ResponsiveContainer width="100%" height={200}>
              <ScatterChart margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
                <CartesianGrid stroke="#f1f5f9" />
                <XAxis dataKey="potential" type="number" name="−distance" fontSize={11} />
                <YAxis dataKey="learned" type="number" name="learned" fontSize={11} />
                <Tooltip cursor={{ strokeDasharray: "3 3" }} />
                <Scatter data={points} fill="#7c3aed" isAnimationActive={false} />
              </ScatterChart>
            </ResponsiveContainer>
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
  return (
    <Card title="Labels by source and by person; human vs teacher on pairs both labelled" testId="labels" wide>
      <div className="grid gap-4 md:grid-cols-3">
        <ResponsiveContainer width="100%" height={180}>
          <BarChart data={sources} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
            <CartesianGrid stroke="#f1f5f9" />
            <XAxis dataKey="source" fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} />
            <Tooltip />
            <Bar dataKey="count" fill="#475569" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        {data.labels.byPerson.length ? (
          <ResponsiveContainer width="100%" height={180}>
            <BarChart data={data.labels.byPerson} layout="vertical" margin={{ top: 5, right: 10, left: 10, bottom: 0 }}>
              <CartesianGrid stroke="#f1f5f9" />
              <XAxis type="number" allowDecimals={false} fontSize={11} />
              <YAxis type="category" dataKey="name" width={70} fontSize={11} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Bar dataKey="left" stackId="a" fill={SIDE_COLORS.left} isAnimationActive={false} />
              <Bar dataKey="right" stackId="a" fill={SIDE_COLORS.right} isAnimationActive={false} />
              <Bar dataKey="equal" stackId="a" fill="#64748b" isAnimationActive={false} />
              <Bar dataKey="skip" stackId="a" fill="#cbd5e1" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        ) : (
          <Empty>No human labels yet.</Empty>
        )}
        <div className="text-sm">
          <p className="mb-2">
            Agreement <strong data-testid="agreement-rate">{pct(data.agreement.rate)}</strong> over {data.agreement.compared} comparisons on{" "}
            {data.agreement.pairs} pairs.
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
  const { data: otherData } = useSWR<DashboardDto>(mode === "experiments" && otherId ? `/api/experiments/${otherId}/dashboard` : null, fetcher);

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
    <Card title="Compare: return (moving average) of two rounds or two experiments" testId="compare" wide>
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
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={series} margin={{ top: 5, right: 10, left: -15, bottom: 0 }}>
            <CartesianGrid stroke="#f1f5f9" />
            <XAxis
              dataKey="x"
              type="number"
              domain={["dataMin", "dataMax"]}
              fontSize={11}
              label={{ value: mode === "rounds" ? "episode in round" : "episode", fontSize: 10, position: "insideBottomRight", offset: -2 }}
            />
            <YAxis fontSize={11} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Line dataKey="a" name={nameA} stroke="#1d4ed8" dot={false} isAnimationActive={false} connectNulls />
            <Line dataKey="b" name={nameB} stroke="#ea580c" dot={false} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      ) : (
        <Empty>Nothing to compare yet.</Empty>
      )}
    </Card>
  );
}
