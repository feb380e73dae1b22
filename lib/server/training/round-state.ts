// A round's live state, kept in its own column (TrainingRound.state, JSON text): the phase it is in, how
// many labels it has and wants, when it stops waiting for people, how often it was resumed, and notes.
// Progress is derived from the phase by one table of weights, so every writer agrees on it.
import "server-only";
import { z } from "zod";
import { ROUND_PHASES, type RoundPhase } from "../../contracts/words";
import type { DbOrTx } from "../db/client";

export { ROUND_PHASES, type RoundPhase };

/**
 * Share of a round's progress bar each phase takes, in order. Collecting fills its share by episodes done,
 * labelling by labels received; the others jump to their start when they begin. The shares sum to 1.
 */
export const PHASE_WEIGHTS: Readonly<Record<RoundPhase, number>> = {
  queued: 0,
  collecting: 0.85,
  selecting: 0.01,
  labelling: 0.09,
  "reward-model": 0.02,
  policy: 0.01,
  evaluating: 0.02,
  finished: 0,
};

const PHASE_START: Readonly<Record<RoundPhase, number>> = (() => {
  let at = 0;
  const out = {} as Record<RoundPhase, number>;
  for (const p of ROUND_PHASES) {
    out[p] = Math.round(at * 1e9) / 1e9;
    at += PHASE_WEIGHTS[p];
  }
  return out;
})();

/** Progress (0..1) of a round `fraction` of the way through `phase`. */
export function phaseProgress(phase: RoundPhase, fraction = 0): number {
  if (phase === "finished") return 1;
  const f = Math.min(1, Math.max(0, fraction));
  return PHASE_START[phase] + PHASE_WEIGHTS[phase] * f;
}

export const roundStateSchema = z.object({
  phase: z.enum(ROUND_PHASES),
  /** When the current collect phase started, and how many episodes were done then (a resumed round). */
  collectStartedAt: z.number().nullable().default(null),
  collectStartEpisodes: z.number().default(0),
  labelsHave: z.number().default(0),
  labelsTarget: z.number().default(0),
  /** Epoch ms when the round stops waiting for people. */
  labelDeadline: z.number().nullable().default(null),
  /** Epoch ms when the round began waiting for labels, and when it stopped (later labels count for the next round). */
  labelsStartedAt: z.number().nullable().default(null),
  labelsClosedAt: z.number().nullable().default(null),
  resumes: z.number().default(0),
  note: z.string().nullable().default(null),
  /** Pairs everyone skipped: replaced by new pairs (human mode) or labelled by the teacher (mixed mode). */
  replacedPairs: z.number().default(0),
  skippedToTeacher: z.number().default(0),
  /** Mixed mode: pairs the teacher labelled because nobody had after the experiment's wait. */
  teacherLabelled: z.number().default(0),
  /** Labels given on the previous round's pairs after it closed, which this round trains on. */
  lateLabels: z.number().default(0),
  lateFromRound: z.number().nullable().default(null),
});
export type RoundState = z.infer<typeof roundStateSchema>;

/** The state stored with a round; null before a worker first ran it (or when unreadable). */
export function parseRoundState(text: string | null): RoundState | null {
  if (!text) return null;
  try {
    const parsed = roundStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Everything worth telling about a round's labels, in words, one sentence each (null when there is nothing). */
export function roundNotes(state: RoundState): string | null {
  const notes = state.note ? [state.note] : [];
  const pairs = (n: number) => (n === 1 ? "1 pair" : `${n} pairs`);
  if (state.replacedPairs) notes.push(`${pairs(state.replacedPairs)} everyone skipped replaced by new ones`);
  if (state.skippedToTeacher) notes.push(`${pairs(state.skippedToTeacher)} everyone skipped handed to the teacher`);
  if (state.teacherLabelled) notes.push(`the teacher labelled ${pairs(state.teacherLabelled)} people had left waiting`);
  if (state.lateLabels) {
    notes.push(`${state.lateLabels === 1 ? "1 late label" : `${state.lateLabels} late labels`} given after round ${state.lateFromRound} closed trained here`);
  }
  return notes.length ? notes.join("; ") : null;
}

/**
 * Seconds until a labelling round has its target at the rate labels came in so far (never past its deadline);
 * null before the first label, when there is no rate to go by.
 */
export function labelEtaSeconds(state: Pick<RoundState, "labelsHave" | "labelsTarget" | "labelsStartedAt" | "labelDeadline">, now: number): number | null {
  const { labelsHave: have, labelsTarget: target, labelsStartedAt: started, labelDeadline: deadline } = state;
  if (have >= target) return 0;
  if (!started || have <= 0 || now <= started) return null;
  const perLabelMs = (now - started) / have;
  const eta = ((target - have) * perLabelMs) / 1000;
  return deadline ? Math.min(eta, Math.max(0, (deadline - now) / 1000)) : eta;
}

export async function readRoundState(db: DbOrTx, roundId: string): Promise<RoundState | null> {
  const row = await db.trainingRound.findUnique({ where: { id: roundId }, select: { state: true } });
  return parseRoundState(row?.state ?? null);
}

export async function writeRoundState(db: DbOrTx, roundId: string, state: RoundState): Promise<void> {
  await db.trainingRound.updateMany({ where: { id: roundId }, data: { state: JSON.stringify(state) } });
}
