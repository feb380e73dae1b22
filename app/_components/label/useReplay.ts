"use client";
// Replays both trajectories of a pair in sync: a step counter that advances while playing, restarts with
// every new pair, and can be paused, stepped or scrubbed.
import { useEffect, useState } from "react";

export const SPEEDS = [0.5, 1, 2, 4] as const;
export type Speed = (typeof SPEEDS)[number];
const STEPS_PER_SECOND = 6;

export function useReplay(pairId: string | null, maxStep: number) {
  const [step, setStep] = useState(0);
  const [wantsPlay, setWantsPlay] = useState(true);
  const [speed, setSpeed] = useState<Speed>(1);
  // A new pair starts its replay from the beginning (adjusted while rendering, not in an effect).
  const [replayOf, setReplayOf] = useState(pairId);
  if (replayOf !== pairId) {
    setReplayOf(pairId);
    setStep(0);
    setWantsPlay(true);
  }
  const atEnd = step >= maxStep;
  const playing = wantsPlay && !atEnd;

  useEffect(() => {
    if (!playing || pairId === null) return;
    const timer = setTimeout(() => setStep((s) => Math.min(maxStep, s + 1)), 1000 / (STEPS_PER_SECOND * speed));
    return () => clearTimeout(timer);
  }, [playing, step, maxStep, speed, pairId]);

  return {
    step,
    playing,
    speed,
    setSpeed,
    /** Play or pause; at the end, play restarts from step 0. */
    toggle: () => {
      if (playing) return setWantsPlay(false);
      if (atEnd) setStep(0);
      setWantsPlay(true);
    },
    /** Jump to a step (pauses). */
    seek: (to: number) => {
      setWantsPlay(false);
      setStep(Math.max(0, Math.min(maxStep, to)));
    },
    stepBy: (delta: number) => setStep((s) => Math.max(0, Math.min(maxStep, s + delta))),
  };
}
