"use client";
// The round that waits for this experiment's labels: "12 of 40 for round 3", an estimate from the label rate so far,
// the time limit as a limit, and the round's notes in plain sight.
import type { WaitingRoundDto } from "@/lib/contracts/label";
import { formatSeconds, ProgressBar } from "../RoundProgress";

export function limitText(deadline: string | null, now = Date.now()): string | null {
  if (!deadline) return null;
  const left = (Date.parse(deadline) - now) / 1000;
  const at = new Date(deadline).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return left > 0 ? `time limit ${at} (in ${formatSeconds(left)})` : "time limit reached";
}

export function RoundBanner({ round }: { round: WaitingRoundDto }) {
  const pct = round.target ? Math.min(100, Math.round((round.have / round.target) * 100)) : 0;
  return (
    <section className="grid gap-1 rounded-lg border border-blue-200 bg-blue-50 px-3 py-2 text-sm" data-testid="round-banner" aria-live="polite">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <strong data-testid="round-labels">
          {round.have} of {round.target} for round {round.index}
        </strong>
        <span className="text-slate-600">
          {round.have >= round.target
            ? "target reached: training starts"
            : round.etaSeconds === null
              ? "no label yet: no estimate"
              : `about ${formatSeconds(round.etaSeconds)} left at this rate`}
        </span>
        <span className="text-slate-500">{limitText(round.deadline)}</span>
      </div>
      <ProgressBar pct={pct} label="labels for the round" track="h-2 bg-blue-100" bar="bg-blue-600" />
      {round.note && <p className="text-xs text-slate-700">{round.note}</p>}
    </section>
  );
}
