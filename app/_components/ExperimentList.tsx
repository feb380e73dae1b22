"use client";
// All experiments with their latest round, refreshed while a round runs.
import Link from "next/link";
import useSWR from "swr";
import { fetcher } from "./api";
import { RoundBadge } from "./RoundProgress";
import type { ExperimentSummaryDto } from "@/lib/contracts/experiment";

export function ExperimentList() {
  const { data, error } = useSWR<{ experiments: ExperimentSummaryDto[] }>("/api/experiments", fetcher, {
    refreshInterval: (d) => (d?.experiments.some((e) => e.latestRound && ["queued", "running"].includes(e.latestRound.status)) ? 1000 : 10_000),
  });
  if (error) return <p className="text-red-700">Could not load experiments: {(error as Error).message}</p>;
  if (!data) return <p className="text-slate-500">Loading experiments…</p>;
  if (!data.experiments.length) return <p className="text-slate-600">No experiments yet: create the first one with the form.</p>;
  return (
    <ul className="grid gap-3" data-testid="experiment-list">
      {data.experiments.map((e) => (
        <li key={e.id}>
          <Link href={`/experiments/${e.id}`} className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-blue-400">
            <div className="flex flex-wrap items-center gap-2">
              <h3 className="font-semibold">{e.name}</h3>
              <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{e.labellingMode}</span>
              {e.latestRound && <RoundBadge round={e.latestRound} />}
            </div>
            <p className="mt-1 text-sm text-slate-600">
              {e.preset} preset · teacher {e.teacher} · maze {e.maze.rows}×{e.maze.cols} · {e.counts.rounds} rounds · {e.counts.trajectories} episodes ·{" "}
              {e.counts.labels} labels · {e.counts.openPairs} pairs open
            </p>
          </Link>
        </li>
      ))}
    </ul>
  );
}
