"use client";
// The labelling screen: the round waiting for labels, two trajectories replayed in sync, four choices by button
// or key, the next pair preloaded so it shows the moment a choice is made. Data lives in useLabelQueue, the
// replay in useReplay; the guide opens on a first visit and from "How to judge".
import { useEffect, useMemo, useState } from "react";
import { divergenceStep, gridFromText } from "../maze";
import { ChoiceButtons } from "./ChoiceButtons";
import { EmptyQueue } from "./EmptyQueue";
import { LabelGuide, useGuideSeen } from "./LabelGuide";
import { PairView } from "./PairView";
import { ReplayControls } from "./ReplayControls";
import { RoundBanner } from "./RoundBanner";
import { useChoiceKeys } from "./useChoiceKeys";
import { useLabelQueue, type Choice } from "./useLabelQueue";
import { useReplay } from "./useReplay";

const LATE_NOTICE_MS = 8000;

/** `canRun` / `canBrowse`: the viewer may start rounds / see experiments (only changes which links show). */
export function LabelScreen({
  initialExperiment,
  canRun = false,
  canBrowse = false,
}: {
  initialExperiment: string | null;
  canRun?: boolean;
  canBrowse?: boolean;
}) {
  const queue = useLabelQueue(initialExperiment);
  const { current, targets, experimentId, stats, round } = queue;
  const [flash, setFlash] = useState<Choice | null>(null);
  const [seen, markSeen] = useGuideSeen();
  const [guideOpen, setGuideOpen] = useState(false);
  const showGuide = guideOpen || !seen;
  const closeGuide = () => {
    markSeen();
    setGuideOpen(false);
  };
  const grid = useMemo(() => (current ? gridFromText(current.maze.text) : null), [current?.maze.text]); // eslint-disable-line react-hooks/exhaustive-deps
  const maxStep = current ? Math.max(current.left.length, current.right.length) : 0;
  const divergence = current ? divergenceStep(current.left.cells, current.right.cells) : null;
  const replay = useReplay(current?.pairId ?? null, maxStep);

  const choose = (choice: Choice) => {
    if (!current) return;
    setFlash(choice);
    setTimeout(() => setFlash(null), 250);
    queue.choose(choice);
  };
  useChoiceKeys({ choose, togglePlay: replay.toggle, stepBy: replay.stepBy, enabled: !showGuide });

  // The late-label notice stays a few seconds.
  const [expired, setExpired] = useState(0);
  const late = queue.late;
  useEffect(() => {
    if (!late) return;
    const timer = setTimeout(() => setExpired(late.at), LATE_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [late]);
  const showLate = late && expired !== late.at;

  const target = targets?.find((t) => t.id === experimentId) ?? null;

  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-3 px-3 py-3 sm:px-4">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 className="text-lg font-semibold">Which run is better?</h1>
        <label className="flex min-w-0 items-center gap-2 text-sm text-slate-600">
          Experiment
          <select
            className="min-w-0 max-w-[14rem] rounded border border-slate-300 bg-white px-2 py-1 text-sm"
            value={experimentId ?? ""}
            onChange={(e) => void queue.pick(e.target.value)}
            aria-label="Experiment to label"
          >
            {targets?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.round ? `round ${t.round.index} waits: ${t.round.have}/${t.round.target}` : `${t.openPairs} open`})
              </option>
            ))}
            {experimentId && targets && !target && <option value={experimentId}>{experimentId}</option>}
          </select>
        </label>
        <button
          type="button"
          onClick={() => setGuideOpen(true)}
          className="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50"
          data-testid="open-guide"
        >
          How to judge
        </button>
        <div className="ml-auto flex gap-4 text-sm" aria-live="polite">
          <span>
            This session: <strong data-testid="session-count">{queue.session}</strong>
          </span>
          <span title="Open pairs of this experiment, for anyone: some may be held by other labellers">
            Open: <strong data-testid="queue-size">{stats?.openPairs ?? "–"}</strong>
          </span>
          <span className="hidden sm:inline">
            All yours: <strong data-testid="total-count">{stats?.labelledByYou ?? "–"}</strong>
          </span>
        </div>
      </div>

      {round && <RoundBanner round={round} />}

      {showLate && late && (
        <p role="status" className="rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="late-notice">
          Saved — round {late.round} had closed; it will count for round {late.countsFor}.
        </p>
      )}

      {queue.error && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {queue.error}
        </p>
      )}

      {(!queue.loaded || (!current && queue.pending > 0)) && <p className="py-16 text-center text-slate-500">Loading the next pair…</p>}

      {queue.loaded && !current && queue.pending === 0 && (
        <EmptyQueue
          experimentId={experimentId}
          targets={targets ?? []}
          session={queue.session}
          onPick={(id) => void queue.pick(id)}
          canRun={canRun}
          canBrowse={canBrowse}
        />
      )}

      {current && grid && (
        <>
          <PairView pair={current} grid={grid} step={replay.step} divergence={divergence} flash={flash} />
          <ReplayControls
            step={replay.step}
            maxStep={maxStep}
            playing={replay.playing}
            speed={replay.speed}
            divergence={divergence}
            onToggle={replay.toggle}
            onSeek={replay.seek}
            onSpeed={replay.setSpeed}
          />
          <ChoiceButtons onChoose={choose} flash={flash} />
        </>
      )}

      {showGuide && <LabelGuide onClose={closeGuide} />}
    </div>
  );
}
