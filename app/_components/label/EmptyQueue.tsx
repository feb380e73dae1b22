"use client";
// Shown when no pair of the chosen experiment waits for this person: where to go instead.
import Link from "next/link";
import type { LabelTargetDto } from "@/lib/contracts/label";

export function EmptyQueue({
  experimentId,
  targets,
  session,
  onPick,
  canRun,
  canBrowse,
}: {
  experimentId: string | null;
  targets: LabelTargetDto[];
  session: number;
  onPick: (id: string) => void;
  canRun: boolean;
  canBrowse: boolean;
}) {
  const others = targets.filter((t) => t.id !== experimentId && (t.round || t.openPairs > 0));
  return (
    <div className="mx-auto my-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm" data-testid="empty-queue">
      <h2 className="text-lg font-semibold">Nothing left to label here{session > 0 ? ` — thank you for ${session}!` : ""}</h2>
      <p className="mt-2 text-slate-600">
        No pair of this experiment is waiting for you: each has its labels, or someone else is holding it. New pairs appear when a training round runs in
        <em> human</em> or <em>mixed</em> mode.
      </p>
      <p className="mt-2 text-sm text-slate-500" data-testid="watching">
        This page checks for new pairs every second and shows them as soon as they arrive.
      </p>
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        {experimentId && canRun && (
          <Link href={`/experiments/${experimentId}`} className="rounded bg-slate-800 px-3 py-1.5 text-sm text-white hover:bg-slate-700">
            Start a round for this experiment
          </Link>
        )}
        {others.map((t) => (
          <button key={t.id} type="button" onClick={() => onPick(t.id)} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            {t.round ? `Round ${t.round.index} of “${t.name}” waits: ${t.round.have} of ${t.round.target}` : `Label “${t.name}” (${t.openPairs} open)`}
          </button>
        ))}
        {canBrowse && (
          <Link href="/experiments" className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            All experiments
          </Link>
        )}
      </div>
    </div>
  );
}
