"use client";
// The labelling keys: ← left, → right, ↓ or = equal, Space can't tell; P/K play-pause, , and . step.
import { useEffect, useEffectEvent } from "react";
import type { Choice } from "./useLabelQueue";

export function keyToChoice(e: Pick<KeyboardEvent, "key" | "code">): Choice | null {
  if (e.key === "ArrowLeft") return "left";
  if (e.key === "ArrowRight") return "right";
  if (e.key === "ArrowDown" || e.key === "=") return "equal";
  if (e.key === " " || e.code === "Space") return "skip";
  return null;
}

export interface KeyActions {
  choose: (choice: Choice) => void;
  togglePlay: () => void;
  stepBy: (delta: number) => void;
}

export function useChoiceKeys(actions: KeyActions) {
  // The listener is added once; as an effect event it always sees the latest actions.
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const choice = keyToChoice(e);
    if (choice) {
      e.preventDefault();
      if (!e.repeat) actions.choose(choice);
      return;
    }
    if (e.key === "p" || e.key === "k") actions.togglePlay();
    else if (e.key === ",") actions.stepBy(-1);
    else if (e.key === ".") actions.stepBy(1);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
