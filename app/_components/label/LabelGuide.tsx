"use client";
// The labelling guide: what "better" means and the keys. Shown on a first visit (remembered per browser),
// dismissable, and opened again with "How to judge".
import { useEffect, useRef, useSyncExternalStore } from "react";

const SEEN_KEY = "oprl.labelGuide.seen";

const subscribe = (onChange: () => void) => {
  window.addEventListener("storage", onChange);
  return () => window.removeEventListener("storage", onChange);
};

/** Whether this browser has seen the guide (false on the server: the guide decides once it runs in the browser). */
export function useGuideSeen(): [boolean, () => void] {
  const seen = useSyncExternalStore(
    subscribe,
    () => window.localStorage.getItem(SEEN_KEY) === "1",
    () => true,
  );
  const markSeen = () => {
    window.localStorage.setItem(SEEN_KEY, "1");
    window.dispatchEvent(new StorageEvent("storage", { key: SEEN_KEY }));
  };
  return [seen, markSeen];
}

export function LabelGuide({ onClose }: { onClose: () => void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    button.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" || e.key === "Enter") {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-20 flex items-start justify-center overflow-y-auto bg-slate-900/50 p-3 sm:items-center" role="presentation">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="guide-title"
        className="w-full max-w-lg rounded-lg bg-white p-5 shadow-xl"
        data-testid="label-guide"
      >
        <h2 id="guide-title" className="text-lg font-semibold">
          How to judge a pair
        </h2>
        <p className="mt-1 text-sm text-slate-600">Two runs of the agent through the same maze, from S (start) towards G (goal). Pick the better run:</p>
        <ol className="mt-3 list-decimal space-y-1.5 pl-5 text-sm">
          <li>
            <strong>Reached the goal</strong> beats did not.
          </li>
          <li>
            Neither reached it: the one that <strong>ended further along the real path</strong>: fewer steps left to walk around the walls, not merely closer in
            a straight line.
          </li>
          <li>
            Still level: the <strong>shorter</strong> run.
          </li>
          <li>
            Truly the same: <em>Equal</em>. Can&apos;t see it? <em>Can&apos;t tell</em> passes the pair to someone else; it never holds a round up.
          </li>
        </ol>
        <p className="mt-3 text-sm text-slate-600">
          Each path fades from light (early) to dark (late); the square marks where it ended. Hover a cell for its step numbers, or scrub the slider.
        </p>
        <p className="mt-2 text-sm text-slate-600 [@media(pointer:coarse)]:hidden">
          Keys: <kbd className="font-mono">←</kbd> left better · <kbd className="font-mono">→</kbd> right better · <kbd className="font-mono">↓</kbd> or{" "}
          <kbd className="font-mono">=</kbd> equal · <kbd className="font-mono">Space</kbd> can&apos;t tell. They work wherever the focus is.
        </p>
        <button
          ref={button}
          type="button"
          onClick={onClose}
          className="mt-4 w-full rounded-lg bg-slate-800 px-4 py-3 font-medium text-white hover:bg-slate-700"
          data-testid="guide-close"
        >
          Got it: start labelling
        </button>
      </div>
    </div>
  );
}
