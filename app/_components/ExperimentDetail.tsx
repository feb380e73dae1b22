"use client";
// One experiment: labelling mode, training rounds (start, cancel, live progress by SWR polling) and dashboards.
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import useSWR from "swr";
import { ApiError, fetcher, send } from "./api";
import { Dashboards } from "./Dashboards";
import { LabellerQuality } from "./LabellerQuality";
import { RoundBadge, RoundProgress } from "./RoundProgress";
import { useDashboard } from "./useDashboard";
import { WhatNextLine } from "./WhatNext";
import type { ExperimentDto, LabellingMode } from "@/lib/contracts/experiment";
import type { RoundDto } from "@/lib/contracts/round";
import type { ExperimentFirstView } from "@/lib/contracts/dashboard";

const MODES = [
  { mode: "human", text: "Human", hint: "rounds wait for people's labels (up to the time limit)" },
  { mode: "synthetic", text: "Synthetic", hint: "the teacher labels every pair at once" },
  {
    mode: "mixed",
    text: "Mixed",
    hint: "people first; the teacher labels a pair nobody labelled within the experiment's wait, and what is left at the time limit",
  },
] as const satisfies readonly { mode: LabellingMode; text: string; hint: string }[];

/**
 * `canRun`: the viewer may start and cancel rounds (admin); the server checks it again. `first`: what the server
 * read while rendering the page (lib/server/experiments/first-view.ts), shown at once; polls take over from it.
 */
export function ExperimentDetail({ id, canRun, first }: { id: string; canRun: boolean; first: ExperimentFirstView | null }) {
  const exp = useSWR<{ experiment: ExperimentDto }>(`/api/experiments/${id}`, fetcher, {
    fallbackData: first ? { experiment: first.experiment } : undefined,
  });
  const rounds = useSWR<{ rounds: RoundDto[] }>(`/api/experiments/${id}/rounds`, fetcher, {
    fallbackData: first ? { rounds: first.rounds } : undefined,
    refreshInterval: (d) => (d?.rounds.some((r) => r.status === "queued" || r.status === "running") ? 700 : 5000),
  });
  const active = rounds.data?.rounds.find((r) => r.status === "queued" || r.status === "running") ?? null;
  // Polls are cheap (the server answers "unchanged" until something is written), so labels show between rounds too.
  const dash = useDashboard(id, active ? 1500 : 5000, first?.dashboard, first?.dashboardComplete);
  // Until the first poll answers, the page draws the server's first screen (no per-round history yet).
  const dashComplete = !first || first.dashboardComplete || dash.data !== first.dashboard;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [episodes, setEpisodes] = useState("");

  // When a round ends, refresh everything it changed.
  const lastActive = useRef<string | null>(null);
  useEffect(() => {
    if (lastActive.current && !active) {
      void dash.mutate();
      void exp.mutate();
    }
    lastActive.current = active?.id ?? null;
  }, [active, dash, exp]);

  if (exp.error) {
    const status = exp.error instanceof ApiError ? exp.error.status : 0;
    return (
      <div className="mx-auto max-w-3xl px-4 py-10">
        <h1 className="text-xl font-semibold">{status === 404 ? "No such experiment" : "Could not load the experiment"}</h1>
        <p className="mt-2 text-slate-600">{(exp.error as Error).message}</p>
        <Link href="/experiments" className="mt-4 inline-block text-blue-700 underline">
          All experiments
        </Link>
      </div>
    );
  }
  const e = exp.data?.experiment;
  if (!e) return <p className="px-4 py-10 text-slate-500">Loading…</p>;

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      await Promise.all([exp.mutate(), rounds.mutate()]);
    } catch (err) {
      setMessage(err instanceof ApiError && err.fields.length ? err.fields.map((f) => `${f.path}: ${f.message}`).join("; ") : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const latest = rounds.data?.rounds[0] ?? null;
  const labels = dash.data ? dash.data.labels.bySource.human + dash.data.labels.bySource.synthetic : e.counts.labels;
  return (
    <div className="mx-auto grid max-w-6xl gap-4 px-3 py-4 sm:px-4">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h1 className="text-xl font-semibold">{e.name}</h1>
        <span className="text-sm text-slate-600">
          {e.preset} preset ({e.config.algorithm}) · teacher {e.teacher} · shaping {e.config.shaping.mode} β={e.config.shaping.beta}
          {e.config.shaping.normalize ? " (normalised)" : ""} · labels {e.config.labelBudget === null ? "no limit" : `at most ${e.config.labelBudget}`} · seed{" "}
          {e.config.seed} · maze {e.maze.rows}×{e.maze.cols}
        </span>
      </div>

      {rounds.data && <WhatNextLine round={latest} mode={e.labellingMode} canRun={canRun} labels={labels} experimentId={id} />}

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-[auto_1fr]">
        <div>
          <h2 className="mb-1 text-sm font-semibold">Labelling mode</h2>
          <div className="inline-flex overflow-hidden rounded border border-slate-300" role="radiogroup" aria-label="Labelling mode">
            {MODES.map((m) => (
              <button
                key={m.mode}
                type="button"
                role="radio"
                aria-checked={e.labellingMode === m.mode}
                title={m.hint}
                disabled={busy}
                onClick={() => act(() => send(`/api/experiments/${id}`, "PATCH", { labellingMode: m.mode }))}
                className={`px-3 py-1.5 text-sm ${e.labellingMode === m.mode ? "bg-slate-800 text-white" : "bg-white hover:bg-slate-100"}`}
              >
                {m.text}
              </button>
            ))}
          </div>
          <p className="mt-1 max-w-xs text-xs text-slate-500">{MODES.find((m) => m.mode === e.labellingMode)?.hint}</p>
          {e.labellingMode !== "synthetic" && (
            <Link href={`/label?experiment=${id}`} className="mt-2 inline-block text-sm text-blue-700 underline">
              Label this experiment’s pairs ({e.counts.openPairs} open)
            </Link>
          )}
        </div>
        <div className="grid content-start gap-2">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="text-sm font-semibold">Training rounds</h2>
            <span className="text-xs text-slate-500">
              {e.config.episodesPerRound} episodes, {e.config.pairsPerRound} pairs ({e.config.pairSelection}) per round
            </span>
            {labels > 0 ? (
              <a href={`/api/experiments/${id}/export`} className="text-xs text-blue-700 underline" download data-testid="export-link">
                Export labels (JSONL)
              </a>
            ) : (
              <span className="text-xs text-slate-400" aria-disabled="true" data-testid="export-disabled">
                Export labels (JSONL): nothing to export before the first label
              </span>
            )}
            {canRun ? (
              <span className="ml-auto flex items-center gap-2">
                <input
                  className="w-24 rounded border border-slate-300 px-2 py-1 text-sm"
                  placeholder={`${e.config.episodesPerRound} eps`}
                  value={episodes}
                  onChange={(ev) => setEpisodes(ev.target.value)}
                  aria-label="Episodes for this round"
                />
                {active ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => act(() => send(`/api/rounds/${active.id}/cancel`, "POST"))}
                    className="rounded bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700 disabled:opacity-50"
                  >
                    Cancel round {active.index}
                  </button>
                ) : (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => act(() => send(`/api/experiments/${id}/rounds`, "POST", episodes.trim() ? { episodes: Number(episodes) } : {}))}
                    className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong disabled:opacity-50"
                  >
                    Start round {(latest?.index ?? 0) + 1}
                  </button>
                )}
              </span>
            ) : (
              <span className="ml-auto text-xs text-slate-500">Rounds are started by an admin.</span>
            )}
          </div>
          {message && (
            <p role="alert" className="text-sm text-red-700">
              {message}
            </p>
          )}
          {latest ? <RoundProgress round={latest} /> : <p className="text-sm text-slate-500">No round yet.</p>}
          {rounds.data && rounds.data.rounds.length > 1 && (
            <details className="text-sm">
              <summary className="cursor-pointer text-slate-600">Earlier rounds</summary>
              <ul className="mt-1 flex flex-wrap gap-1">
                {rounds.data.rounds.slice(1).map((r) => (
                  <li key={r.id} title={r.error ?? undefined}>
                    <RoundBadge round={r} />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      </section>

      <LabellerQuality experimentId={id} first={first?.labellers} />
      {dash.data ? <Dashboards data={dash.data} experimentId={id} complete={dashComplete} /> : <p className="text-slate-500">Loading dashboards…</p>}

      <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm">
        <summary className="cursor-pointer font-medium">Maze</summary>
        <pre className="mt-2 font-mono text-xs">{e.mazeText}</pre>
      </details>
    </div>
  );
}
