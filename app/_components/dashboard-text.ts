// Words and scales of the dashboards, kept free of React so unit tests can check them: the shared heatmap scale,
// sample-size caveats beside accuracies, and the "what next" line at the top of an experiment page.
import type { LabellingMode } from "@/lib/contracts/words";
import type { RoundDto } from "@/lib/contracts/round";

/** Below this many judged pairs an accuracy or agreement is shown with "too few to judge". */
export const MIN_SAMPLE = 20;

export const percent = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "–" : `${Math.round(x * 100)}%`);

/** "75% (n = 4) — too few to judge", "82% (n = 120)", or "– (n = 0)". */
export function rateWithSample(rate: number | null | undefined, n: number): { value: string; sample: string; caveat: string | null } {
  const caveat = n === 0 ? "nothing to judge yet" : n < MIN_SAMPLE ? "too few to judge" : null;
  return { value: percent(n === 0 ? null : rate), sample: `n = ${n}`, caveat };
}

/**
 * The two maps of a heatmap pair on one scale: each map's reachable free cells min-max scaled to 0..1 (0 = its
 * lowest cell, 1 = its highest), so colours compare the order and shape of the two, whatever their units.
 */
export function normalise(values: readonly (number | null)[], walls: readonly boolean[]): { scaled: (number | null)[]; lo: number; hi: number } | null {
  const free = values.filter((v, i): v is number => v !== null && !walls[i]);
  if (!free.length) return null;
  const lo = Math.min(...free);
  const hi = Math.max(...free);
  return { lo, hi, scaled: values.map((v, i) => (v === null || walls[i] ? null : hi > lo ? (v - lo) / (hi - lo) : 0.5)) };
}

export type WhatNext = { text: string; tone: "act" | "wait" | "done" | "problem"; labelLink?: boolean };

const PHASE_WORDS: Partial<Record<RoundDto["phase"], string>> = {
  collecting: "collecting episodes",
  selecting: "choosing pairs to label",
  "reward-model": "fitting the reward model",
  policy: "updating the policy",
  evaluating: "evaluating the policy",
};

/** The one line that tells a researcher what happens next, and what they can do about it. */
export function whatNext(round: RoundDto | null, opts: { mode: LabellingMode; canRun: boolean; labels: number }): WhatNext {
  const another = opts.canRun ? "start another round" : "ask an admin for another round";
  const exportHint = opts.labels > 0 ? " or export the labels" : "";
  if (!round) {
    return { text: opts.canRun ? "Next: start round 1 to collect the first episodes." : "Next: an admin starts round 1.", tone: "act" };
  }
  const r = `Round ${round.index}`;
  switch (round.status) {
    case "queued":
      return { text: `${r} is queued: the training worker picks it up in a moment.`, tone: "wait" };
    case "running": {
      if (round.phase === "labelling" && opts.mode !== "synthetic" && round.labels.target > 0) {
        const missing = Math.max(0, round.labels.target - round.labels.have);
        return {
          text: `${r} waits for ${missing} label${missing === 1 ? "" : "s"} (${round.labels.have} of ${round.labels.target}): share /label with labellers.`,
          tone: "act",
          labelLink: true,
        };
      }
      if (round.phase === "labelling") return { text: `Training ${r.toLowerCase()}: the teacher is labelling its pairs.`, tone: "wait" };
      const doing = PHASE_WORDS[round.phase];
      const episodes = round.phase === "collecting" && round.episodesTotal ? `, ${round.episodesDone} of ${round.episodesTotal} episodes` : "";
      return { text: `Training ${r.toLowerCase()}: ${Math.floor(round.progress * 100)}% done${doing ? ` (${doing}${episodes})` : ""}.`, tone: "wait" };
    }
    case "done":
      return { text: `Done: ${another}${exportHint}.`, tone: "done" };
    case "failed":
      return { text: `${r} failed${round.error ? ` (${round.error})` : ""}: ${another}.`, tone: "problem" };
    case "cancelled":
      return { text: `${r} was cancelled: ${another}.`, tone: "problem" };
  }
}
