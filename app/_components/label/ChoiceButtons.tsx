"use client";
// The four choices as buttons with their keys, and the key reference below them. On touch screens (coarse
// pointer) the buttons are big and the key hints are hidden.
import type { Choice } from "./useLabelQueue";

const CHOICES: { choice: Choice; text: string; keys: string[]; style: string }[] = [
  { choice: "left", text: "Left better", keys: ["←"], style: "bg-side-left hover:bg-side-left-strong text-white" },
  { choice: "equal", text: "Equal", keys: ["↓", "="], style: "bg-slate-600 hover:bg-slate-700 text-white" },
  { choice: "skip", text: "Can't tell", keys: ["Space"], style: "bg-white hover:bg-slate-100 text-slate-700 border border-slate-300" },
  { choice: "right", text: "Right better", keys: ["→"], style: "bg-side-right hover:bg-side-right-strong text-white" },
];

export function ChoiceButtons({ onChoose, flash }: { onChoose: (choice: Choice) => void; flash: Choice | null }) {
  return (
    <>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        {CHOICES.map((c) => (
          <button
            key={c.choice}
            type="button"
            onClick={() => onChoose(c.choice)}
            className={`flex min-h-14 flex-col items-center justify-center rounded-lg px-3 py-3 font-medium shadow-sm transition ${c.style} ${flash === c.choice ? "ring-4 ring-green-400" : ""}`}
            data-choice={c.choice}
          >
            <span>{c.text}</span>
            <span className="mt-1 flex gap-1 text-xs opacity-80 [@media(pointer:coarse)]:hidden">
              {c.keys.map((k) => (
                <kbd key={k} className="rounded border border-current px-1.5 py-0.5 font-mono">
                  {k}
                </kbd>
              ))}
            </span>
          </button>
        ))}
      </div>
      <p className="text-center text-xs text-slate-500 [@media(pointer:coarse)]:hidden">
        Keys: <kbd className="font-mono">←</kbd> left better · <kbd className="font-mono">→</kbd> right better · <kbd className="font-mono">↓</kbd> or{" "}
        <kbd className="font-mono">=</kbd> equal · <kbd className="font-mono">Space</kbd> can&apos;t tell · <kbd className="font-mono">P</kbd> play/pause ·{" "}
        <kbd className="font-mono">,</kbd> <kbd className="font-mono">.</kbd> step
      </p>
    </>
  );
}
