"use client";
// The labelling keys: ← left, → right, ↓ or = equal, Space can't tell; P/K play-pause, , and . step.
// The choice keys label wherever focus is (the scrub bar, a button, a picker): they never move a slider or
// change a picker silently. Only typing in a text field keeps them, and while the guide is open they do nothing
// (it covers the screen and says so).
import { useEffect, useEffectEvent } from "react";
import type { Choice } from "./useLabelQueue";

export function keyToChoice(e: Pick<KeyboardEvent, "key" | "code">): Choice | null {
  if (e.key === "ArrowLeft") return "left";
  if (e.key === "ArrowRight") return "right";
  if (e.key === "ArrowDown" || e.key === "=") return "equal";
  if (e.key === " " || e.code === "Space") return "skip";
  return null;
}

const TEXT_INPUTS = new Set(["text", "search", "email", "password", "number", "url", "tel"]);

/** Typing goes to the field: a text input, a text area or an editable element keeps every key. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA") return true;
  return target instanceof HTMLInputElement && TEXT_INPUTS.has(target.type);
}

export interface KeyActions {
  choose: (choice: Choice) => void;
  togglePlay: () => void;
  stepBy: (delta: number) => void;
  /** False while something else (the guide) owns the keyboard. */
  enabled: boolean;
}

export function useChoiceKeys(actions: KeyActions) {
  // The listener is added once; as an effect event it always sees the latest actions.
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (!actions.enabled || isTyping(e.target)) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const choice = keyToChoice(e);
    if (choice) {
      // Before the focused control acts on it (a range moves, a select changes, Space clicks a button).
      e.preventDefault();
      e.stopPropagation();
      const focused = document.activeElement;
      if (focused instanceof HTMLElement && focused !== document.body) focused.blur();
      if (!e.repeat) actions.choose(choice);
      return;
    }
    if (e.key === "p" || e.key === "k") actions.togglePlay();
    else if (e.key === ",") actions.stepBy(-1);
    else if (e.key === ".") actions.stepBy(1);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    // Capture phase: the page hears the key before the focused control does.
    window.addEventListener("keydown", listener, { capture: true });
    return () => window.removeEventListener("keydown", listener, { capture: true });
  }, []);
}
