"use client";
// A round's status: a small badge, and the full progress bar with episodes done and time left. While a round waits
// for labels the bar is its decided labels against the target (0 labels is 0%), the estimate comes from the label
// rate seen so far, the time limit is shown as a limit, and the round's notes are written out.
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
      {round.status === "running" ? ` ${Math.round(shownProgress(round) * 100)}%` : ""}
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

const labelling = (round: RoundDto) => round.status === "running" && round.phase === "labelling" && round.labels.target > 0;

/** What the bar shows: labels against the target while the round waits for them, else the round's progress. */
export function shownProgress(round: RoundDto): number {
  return labelling(round) ? Math.min(1, round.labels.have / round.labels.target) : round.progress;
}

function limitText(deadline: string | null, now = Date.now()): string | null {
  if (!deadline) return null;
  const left = (Date.parse(deadline) - now) / 1000;
  return left > 0 ? `time limit in ${formatSeconds(left)}` : "time limit reached";
}

export function RoundProgress({ round }: { round: RoundDto }) {
  const pct = Math.round(shownProgress(round) * 100);
  const active = round.status === "running" || round.status === "queued";
  const waiting = labelling(round);
  return (
    <div className="grid gap-1" data-testid="round-progress" data-status={round.status}>
      <div className="flex flex-wrap items-center gap-x-3 text-sm">
        <RoundBadge round={round} />
        <span className="text-slate-600">{active ? PHASE_TEXT[round.phase] : round.status === "done" ? "done" : round.status}</span>
        <span className="tabular-nums" data-testid="episodes-done">
          {round.episodesDone} / {round.episodesTotal} episodes
        </span>
        {(waiting || round.labels.target > 0) && (
          <span className="tabular-nums" data-testid="round-labels">
            labels {round.labels.have} of {round.labels.target} (decided)
          </span>
        )}
        {active && (
          <span className="ml-auto tabular-nums text-slate-600" data-testid="time-left">
            {round.etaSeconds !== null
              ? `about ${formatSeconds(round.etaSeconds)} left${waiting ? " at the current label rate" : ""}`
              : waiting
                ? "no label yet: no estimate"
                : "estimating time left…"}
          </span>
        )}
        {waiting && <span className="tabular-nums text-slate-500">{limitText(round.labels.deadline)}</span>}
      </div>
      <ProgressBar
        pct={pct}
        label={waiting ? `round ${round.index} labels` : `round ${round.index} progress`}
        track="h-3 bg-slate-200"
        bar={`duration-500 ${round.status === "failed" ? "bg-red-500" : round.status === "cancelled" ? "bg-amber-500" : round.status === "done" ? "bg-green-500" : "bg-blue-500"}`}
      />
      {round.error && round.status !== "cancelled" && <p className="text-sm text-red-700">Failed: {round.error}</p>}
      {round.note && (
        <ul className="list-disc pl-5 text-sm text-slate-700" data-testid="round-notes">
          {round.note.split("; ").map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A labelled 0-100% bar; the round card and the label screen's banner differ only in size and colour. */
export function ProgressBar({ pct, label, track, bar }: { pct: number; label: string; track: string; bar: string }) {
  return (
    <div className={`overflow-hidden rounded-full ${track}`} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
      <div className={`h-full transition-[width] ${bar}`} style={{ width: `${pct}%` }} />
    </div>
  );
}
