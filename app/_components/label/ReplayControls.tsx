"use client";
// Play/pause, the scrub bar (with where the paths part), the step counter and the replay speed.
import { SPEEDS, type Speed } from "./useReplay";

export function ReplayControls({
  step,
  maxStep,
  playing,
  speed,
  divergence,
  onToggle,
  onSeek,
  onSpeed,
}: {
  step: number;
  maxStep: number;
  playing: boolean;
  speed: Speed;
  divergence: number | null;
  onToggle: () => void;
  onSeek: (step: number) => void;
  onSpeed: (speed: Speed) => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm">
      <button
        type="button"
        className="w-20 rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-700"
        onClick={onToggle}
        aria-label={playing ? "Pause" : "Play"}
      >
        {playing ? "Pause" : step >= maxStep ? "Replay" : "Play"}
      </button>
      <div className="relative min-w-[10rem] flex-1">
        <input
          type="range"
          min={0}
          max={maxStep}
          value={step}
          onChange={(e) => onSeek(Number(e.target.value))}
          className="w-full accent-slate-700"
          aria-label="Scrub through the steps"
        />
        {divergence !== null && maxStep > 0 && (
          <span
            className="pointer-events-none absolute -top-1 h-2 w-0.5 bg-red-600"
            style={{ left: `calc(${(divergence / maxStep) * 100}% )` }}
            title={`paths part at step ${divergence}`}
          />
        )}
      </div>
      <span className="w-28 text-right tabular-nums" data-testid="step-counter">
        step {step} / {maxStep}
      </span>
      <label className="flex items-center gap-1 text-slate-600">
        Speed
        <select
          className="rounded border border-slate-300 px-1 py-0.5"
          value={speed}
          onChange={(e) => onSpeed(Number(e.target.value) as Speed)}
          aria-label="Replay speed"
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <span className="w-full text-xs text-slate-500 sm:w-auto">
        {divergence === null ? (
          "The paths never part."
        ) : (
          <>
            Paths part at step <strong className="text-red-700">{divergence}</strong> (red ring).
          </>
        )}
      </span>
    </div>
  );
}
