"use client";
// The labelling screen: two trajectories replayed in sync, four choices by button or key, the next pair
// preloaded so it shows the moment a choice is made (the label is sent in the background).
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, fetcher, send } from "./api";
import { divergenceStep, gridFromText } from "./maze";
import { MazeView } from "./MazeView";
import type { LabelResultDto, LabelTargetDto, NextDto, PairDto, QueueStatsDto } from "@/lib/server/labelling/labelling";

type Choice = "left" | "right" | "equal" | "skip";
const SPEEDS = [0.5, 1, 2, 4] as const;
const STEPS_PER_SECOND = 6;
const COLORS = { left: "#2563eb", right: "#ea580c" };

const CHOICES: { choice: Choice; text: string; keys: string[]; style: string }[] = [
  { choice: "left", text: "Left better", keys: ["←"], style: "bg-blue-600 hover:bg-blue-700 text-white" },
  { choice: "equal", text: "Equal", keys: ["↓", "="], style: "bg-slate-600 hover:bg-slate-700 text-white" },
  { choice: "skip", text: "Can't tell", keys: ["Space"], style: "bg-white hover:bg-slate-100 text-slate-700 border border-slate-300" },
  { choice: "right", text: "Right better", keys: ["→"], style: "bg-orange-600 hover:bg-orange-700 text-white" },
];

function keyToChoice(e: KeyboardEvent): Choice | null {
  if (e.key === "ArrowLeft") return "left";
  if (e.key === "ArrowRight") return "right";
  if (e.key === "ArrowDown" || e.key === "=") return "equal";
  if (e.key === " " || e.code === "Space") return "skip";
  return null;
}

/** `canRun` / `canBrowse`: the viewer may start rounds / see experiments (only changes which links show). */
export function LabelScreen({ initialExperiment, canRun = false, canBrowse = false }: { initialExperiment: string | null; canRun?: boolean; canBrowse?: boolean }) {
  const [experimentId, setExperimentId] = useState<string | null>(initialExperiment);
  const [targets, setTargets] = useState<LabelTargetDto[] | null>(null);
  const [current, setCurrent] = useState<PairDto | null>(null);
  const [upcoming, setUpcoming] = useState<PairDto | null>(null);
  const [stats, setStats] = useState<QueueStatsDto | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [session, setSession] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(1);
  const [flash, setFlash] = useState<Choice | null>(null);
  const shownAt = useRef(performance.now());
  /** Labels go out one after another: a choice on a preloaded pair waits for the previous answer (its lease). */
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const choiceSeq = useRef(0);
  const [pending, setPending] = useState(0);
  const currentRef = useRef<PairDto | null>(null);
  const upcomingRef = useRef<PairDto | null>(null);
  currentRef.current = current;
  upcomingRef.current = upcoming;

  const apply = useCallback((n: NextDto) => {
    setCurrent(n.pair);
    setUpcoming(n.upcoming);
    setStats(n.stats);
    setExperimentId(n.stats.experimentId);
  }, []);

  const load = useCallback(
    async (exp: string | null) => {
      setError(null);
      try {
        const [t, first] = await Promise.all([
          fetcher<{ experiments: LabelTargetDto[] }>("/api/label/targets"),
          exp ? fetcher<NextDto>(`/api/label/next?experiment=${encodeURIComponent(exp)}`) : Promise.resolve(null),
        ]);
        setTargets(t.experiments);
        const chosen = exp ?? t.experiments[0]?.id ?? null;
        if (first) apply(first);
        else if (chosen) apply(await fetcher<NextDto>(`/api/label/next?experiment=${encodeURIComponent(chosen)}`));
        else setCurrent(null);
      } catch (e) {
        setError(e instanceof ApiError ? e.message : "could not reach the server");
      } finally {
        setLoaded(true);
      }
    },
    [apply],
  );

  useEffect(() => {
    void load(initialExperiment);
  }, [initialExperiment, load]);

  // A new pair starts its replay from the beginning.
  useEffect(() => {
    shownAt.current = performance.now();
    setStep(0);
    setPlaying(true);
  }, [current?.pairId]);

  const grid = useMemo(() => (current ? gridFromText(current.maze.text) : null), [current?.maze.text]); // eslint-disable-line react-hooks/exhaustive-deps
  const maxStep = current ? Math.max(current.left.length, current.right.length) : 0;
  const divergence = current ? divergenceStep(current.left.cells, current.right.cells) : null;

  useEffect(() => {
    if (!playing || !current) return;
    if (step >= maxStep) {
      setPlaying(false);
      return;
    }
    const timer = setTimeout(() => setStep((s) => Math.min(maxStep, s + 1)), 1000 / (STEPS_PER_SECOND * speed));
    return () => clearTimeout(timer);
  }, [playing, step, maxStep, speed, current]);

  const choose = useCallback(
    (choice: Choice) => {
      const pair = currentRef.current;
      if (!pair) return;
      const responseMs = Math.round(performance.now() - shownAt.current);
      const labelId = crypto.randomUUID();
      // Show the preloaded pair now; the server confirms (and leases) it with the label's answer.
      const preview = upcomingRef.current;
      setCurrent(preview);
      setUpcoming(null);
      setSession((n) => n + 1);
      setStats((s) => (s ? { ...s, waiting: Math.max(0, s.waiting - 1), labelledByYou: s.labelledByYou + (choice === "skip" ? 0 : 1) } : s));
      setFlash(choice);
      setTimeout(() => setFlash(null), 250);
      const seq = ++choiceSeq.current;
      setPending((n) => n + 1);
      chain.current = chain.current.then(async () => {
        try {
          const res = await send<LabelResultDto>(`/api/pairs/${pair.pairId}/label`, "POST", { labelId, choice, responseMs });
          // Only the answer to the latest choice decides what is shown (the server leased that pair).
          if (seq === choiceSeq.current) apply(res.next);
          setError(null);
        } catch (e) {
          setError(e instanceof ApiError ? `That label was not saved: ${e.message}` : "That label was not saved: the server did not answer");
          setSession((n) => n - 1);
          const again = await fetcher<NextDto>(`/api/label/next?experiment=${encodeURIComponent(pair.experimentId)}`).catch(() => null);
          if (again && seq === choiceSeq.current) apply(again);
        } finally {
          setPending((n) => n - 1);
        }
      });
    },
    [apply],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      const choice = keyToChoice(e);
      if (choice) {
        e.preventDefault();
        if (!e.repeat) choose(choice);
        return;
      }
      if (e.key === "p" || e.key === "k") setPlaying((p) => !p);
      else if (e.key === ",") setStep((s) => Math.max(0, s - 1));
      else if (e.key === ".") setStep((s) => Math.min(maxStep, s + 1));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [choose, maxStep]);

  const target = targets?.find((t) => t.id === experimentId) ?? null;

  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-3 px-3 py-3 sm:px-4">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 className="text-lg font-semibold">Which run is better?</h1>
        <label className="flex items-center gap-2 text-sm text-slate-600">
          Experiment
          <select
            className="max-w-[14rem] rounded border border-slate-300 bg-white px-2 py-1 text-sm"
            value={experimentId ?? ""}
            onChange={(e) => {
              setExperimentId(e.target.value);
              void load(e.target.value);
            }}
            aria-label="Experiment to label"
          >
            {targets?.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} ({t.openPairs} open)
              </option>
            ))}
            {experimentId && targets && !target && <option value={experimentId}>{experimentId}</option>}
          </select>
        </label>
        <div className="ml-auto flex gap-4 text-sm" aria-live="polite">
          <span>
            This session: <strong data-testid="session-count">{session}</strong>
          </span>
          <span>
            Waiting: <strong data-testid="queue-size">{stats?.waiting ?? "–"}</strong>
          </span>
          <span className="hidden sm:inline">
            All yours: <strong data-testid="total-count">{stats?.labelledByYou ?? "–"}</strong>
          </span>
        </div>
      </div>

      {error && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}

      {(!loaded || (!current && pending > 0)) && <p className="py-16 text-center text-slate-500">Loading the next pair…</p>}

      {loaded && !current && pending === 0 && (
        <EmptyQueue experimentId={experimentId} targets={targets ?? []} session={session} onPick={(id) => void load(id)} canRun={canRun} canBrowse={canBrowse} />
      )}

      {current && grid && (
        <>
          <div className="grid grid-cols-2 gap-2 sm:gap-4" data-testid="pair" data-pair-id={current.pairId}>
            {(["left", "right"] as const).map((side) => {
              const t = current[side];
              const finished = step >= t.length;
              return (
                <figure
                  key={side}
                  className={`rounded-lg border-2 bg-white p-1.5 shadow-sm transition-colors sm:p-3 ${flash === side ? "border-green-500" : side === "left" ? "border-blue-200" : "border-orange-200"}`}
                >
                  <figcaption className="mb-1 flex items-center justify-between text-xs sm:text-sm">
                    <span className="font-semibold" style={{ color: COLORS[side] }}>
                      {side === "left" ? "Left" : "Right"}
                    </span>
                    <span className="text-slate-500">
                      {finished ? (t.success ? `reached the goal in ${t.length} steps` : `no goal after ${t.length} steps`) : `step ${Math.min(step, t.length)} / ${t.length}`}
                    </span>
                  </figcaption>
                  <div className="mx-auto max-w-[26rem]">
                    <MazeView grid={grid} cells={t.cells} step={step} color={COLORS[side]} divergence={divergence} label={`${side} trajectory`} />
                  </div>
                </figure>
              );
            })}
          </div>

          <div className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm">
            <button
              type="button"
              className="w-20 rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-700"
              onClick={() => {
                if (!playing && step >= maxStep) setStep(0);
                setPlaying((p) => !p);
              }}
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
                onChange={(e) => {
                  setPlaying(false);
                  setStep(Number(e.target.value));
                }}
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
                onChange={(e) => setSpeed(Number(e.target.value) as (typeof SPEEDS)[number])}
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
              {divergence === null ? "The paths never part." : <>Paths part at step <strong className="text-red-700">{divergence}</strong> (red ring).</>}
            </span>
          </div>

          <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {CHOICES.map((c) => (
              <button
                key={c.choice}
                type="button"
                onClick={() => choose(c.choice)}
                className={`flex flex-col items-center rounded-lg px-3 py-3 font-medium shadow-sm transition ${c.style} ${flash === c.choice ? "ring-4 ring-green-400" : ""}`}
                data-choice={c.choice}
              >
                <span>{c.text}</span>
                <span className="mt-1 flex gap-1 text-xs opacity-80">
                  {c.keys.map((k) => (
                    <kbd key={k} className="rounded border border-current px-1.5 py-0.5 font-mono">
                      {k}
                    </kbd>
                  ))}
                </span>
              </button>
            ))}
          </div>
          <p className="text-center text-xs text-slate-500">
            Keys: <kbd className="font-mono">←</kbd> left better · <kbd className="font-mono">→</kbd> right better · <kbd className="font-mono">↓</kbd> or{" "}
            <kbd className="font-mono">=</kbd> equal · <kbd className="font-mono">Space</kbd> can&apos;t tell · <kbd className="font-mono">P</kbd> play/pause ·{" "}
            <kbd className="font-mono">,</kbd> <kbd className="font-mono">.</kbd> step
          </p>
        </>
      )}
    </div>
  );
}

function EmptyQueue({ experimentId, targets, session, onPick, canRun, canBrowse }: { experimentId: string | null; targets: LabelTargetDto[]; session: number; onPick: (id: string) => void; canRun: boolean; canBrowse: boolean }) {
  const others = targets.filter((t) => t.id !== experimentId && t.openPairs > 0);
  return (
    <div className="mx-auto my-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm" data-testid="empty-queue">
      <h2 className="text-lg font-semibold">Nothing left to label here{session > 0 ? ` — thank you for ${session}!` : ""}</h2>
      <p className="mt-2 text-slate-600">
        No pair of this experiment is waiting for you: each has its labels, or someone else is holding it. New pairs appear when a training round runs in
        <em> human</em> or <em>mixed</em> mode.
      </p>
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        {experimentId && canRun && (
          <Link href={`/experiments/${experimentId}`} className="rounded bg-slate-800 px-3 py-1.5 text-sm text-white hover:bg-slate-700">
            Start a round for this experiment
          </Link>
        )}
        {others.map((t) => (
          <button key={t.id} type="button" onClick={() => onPick(t.id)} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            Label “{t.name}” ({t.openPairs} open)
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
