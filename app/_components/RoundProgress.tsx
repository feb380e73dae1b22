"use client";
// A round's status: a small badge, and the full progress bar with episodes done and time left.
import type { RoundDto } from "@/lib/contracts/round";

const STATUS_STYLE: Record<string, string> = {
  queued: "bg-slate-200 text-slate-700",
  running: "bg-blue-100 text-blue-800",
  done: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-amber-100 text-amber-800",
};

export function RoundBadge({ round }: { round: RoundDto }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[round.status] ?? ""}`}>
      round {round.index}: {round.status}
      {round.status === "running" ? ` ${Math.round(round.progress * 100)}%` : ""}
    </span>
  );
}

const PHASE_TEXT: Record<string, string> = {
  queued: "waiting for the worker",
  collecting: "collecting episodes",
  selecting: "choosing pairs",
  labelling: "waiting for labels",
  "reward-model": "updating the reward model",
  policy: "updating the policy",
  evaluating: "evaluating",
  finished: "finished",
};

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function RoundProgress({ round }: { round: RoundDto }) {
  const pct = Math.round(round.progress * 100);
  const active = round.status === "running" || round.status === "queued";
  return (
    <div className="grid gap-1" data-testid="round-progress" data-status={round.status}>
      <div className="flex flex-wrap items-center gap-x-3 text-sm">
        <RoundBadge round={round} />
        <span className="text-slate-600">{active ? PHASE_TEXT[round.phase] : round.status === "done" ? "done" : round.status}</span>
        <span className="tabular-nums" data-testid="episodes-done">
          {round.episodesDone} / {round.episodesTotal} episodes
        </span>
        {round.phase === "labelling" && round.labels.target > 0 && (
          <span className="tabular-nums">
            {round.labels.have} / {round.labels.target} labels
          </span>
        )}
        {active && (
          <span className="ml-auto tabular-nums text-slate-600" data-testid="time-left">
            {round.etaSeconds === null ? "estimating time left…" : `about ${formatSeconds(round.etaSeconds)} left`}
          </span>
        )}
      </div>
      <div
        className="h-3 overflow-hidden rounded-full bg-slate-200"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={`round ${round.index} progress`}
      >
        <div
          className={`h-full transition-[width] duration-500 ${round.status === "failed" ? "bg-red-500" : round.status === "cancelled" ? "bg-amber-500" : round.status === "done" ? "bg-green-500" : "bg-blue-500"}`}
          style={{ width: `${pct}%` }}
        />
      </div>
      {round.error && round.status !== "cancelled" && <p className="text-sm text-red-700">Failed: {round.error}</p>}
      {round.note && <p className="text-xs text-slate-500">{round.note}</p>}
    </div>
  );
}
