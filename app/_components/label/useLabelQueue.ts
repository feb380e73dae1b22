"use client";
// The labelling screen's data: which experiment, the pair on screen and the one preloaded behind it, queue
// counts, and sending choices. Labels go out one after another in the background so the next pair shows at
// once; only the answer to the latest choice decides what is shown (the server leased that pair).
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from "react";
import useSWR from "swr";
import { ApiError, fetcher, send } from "../api";
import type { LabelResultDto, LabelTargetDto, NextDto, PairDto, QueueStatsDto } from "@/lib/contracts/label";
import type { Choice } from "@/lib/contracts/words";

export type { Choice } from "@/lib/contracts/words";

interface QueueState {
  experimentId: string | null;
  current: PairDto | null;
  upcoming: PairDto | null;
  stats: QueueStatsDto | null;
  /** The first answer (a pair or an empty queue) has arrived. */
  loaded: boolean;
  /** Labels given on this page since it opened (skips do not count). */
  session: number;
  /** Labels sent but not yet answered. */
  pending: number;
  error: string | null;
}

type Action =
  | { type: "served"; next: NextDto }
  | { type: "empty" }
  | { type: "pick"; experimentId: string }
  | { type: "chosen"; choice: Choice }
  | { type: "sent" }
  | { type: "answered" }
  | { type: "failed"; message: string }
  | { type: "error"; message: string | null };

function reducer(s: QueueState, a: Action): QueueState {
  switch (a.type) {
    case "served":
      return { ...s, current: a.next.pair, upcoming: a.next.upcoming, stats: a.next.stats, experimentId: a.next.stats.experimentId, loaded: true };
    case "empty":
      return { ...s, current: null, loaded: true };
    case "pick":
      return { ...s, experimentId: a.experimentId, error: null };
    case "chosen": {
      const stats = s.stats && { ...s.stats, waiting: Math.max(0, s.stats.waiting - 1), labelledByYou: s.stats.labelledByYou + (a.choice === "skip" ? 0 : 1) };
      // Show the preloaded pair now; the server confirms (and leases) it with the label's answer.
      return { ...s, current: s.upcoming, upcoming: null, session: s.session + 1, stats, pending: s.pending + 1 };
    }
    case "sent":
      return { ...s, pending: s.pending - 1 };
    case "answered":
      return { ...s, error: null };
    case "failed":
      return { ...s, error: a.message, session: s.session - 1 };
    case "error":
      return { ...s, error: a.message, loaded: true };
  }
}

const nextUrl = (experimentId: string) => `/api/label/next?experiment=${encodeURIComponent(experimentId)}`;
const reason = (e: unknown) => (e instanceof ApiError ? e.message : "could not reach the server");

export function useLabelQueue(initialExperiment: string | null) {
  const [state, dispatch] = useReducer(reducer, {
    experimentId: initialExperiment,
    current: null,
    upcoming: null,
    stats: null,
    loaded: false,
    session: 0,
    pending: 0,
    error: null,
  });
  // The experiments one can label, with their open-pair counts (refreshed by SWR on focus and reconnect).
  const targets = useSWR<{ experiments: LabelTargetDto[] }>("/api/label/targets", fetcher);
  // `choose` reads the pair on screen from here, so it keeps one identity across renders.
  const shown = useRef<PairDto | null>(null);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const choiceSeq = useRef(0);
  const shownAt = useRef(0);

  /** Serves the next pair of `experimentId`, or of the first experiment with work when none is chosen. */
  const load = useCallback(async (experimentId: string | null) => {
    if (experimentId) dispatch({ type: "pick", experimentId });
    try {
      const chosen = experimentId ?? (await fetcher<{ experiments: LabelTargetDto[] }>("/api/label/targets")).experiments[0]?.id ?? null;
      if (chosen) dispatch({ type: "served", next: await fetcher<NextDto>(nextUrl(chosen)) });
      else dispatch({ type: "empty" });
    } catch (e) {
      dispatch({ type: "error", message: reason(e) });
    }
  }, []);

  useEffect(() => {
    void load(initialExperiment);
  }, [initialExperiment, load]);

  const onScreen = state.current;
  useLayoutEffect(() => {
    shown.current = onScreen;
  }, [onScreen]);
  // Response time counts from when a pair first shows (a preloaded pair shows before the server confirms it).
  const onScreenId = onScreen?.pairId;
  useLayoutEffect(() => {
    shownAt.current = performance.now();
  }, [onScreenId]);

  const choose = useCallback((choice: Choice) => {
    const pair = shown.current;
    if (!pair) return;
    const responseMs = Math.round(performance.now() - shownAt.current);
    const labelId = crypto.randomUUID();
    const seq = ++choiceSeq.current;
    dispatch({ type: "chosen", choice });
    chain.current = chain.current.then(async () => {
      try {
        const res = await send<LabelResultDto>(`/api/pairs/${pair.pairId}/label`, "POST", { labelId, choice, responseMs });
        if (seq === choiceSeq.current) dispatch({ type: "served", next: res.next });
        dispatch({ type: "answered" });
      } catch (e) {
        dispatch({
          type: "failed",
          message: e instanceof ApiError ? `That label was not saved: ${e.message}` : "That label was not saved: the server did not answer",
        });
        const again = await fetcher<NextDto>(nextUrl(pair.experimentId)).catch(() => null);
        if (again && seq === choiceSeq.current) dispatch({ type: "served", next: again });
      } finally {
        dispatch({ type: "sent" });
      }
    });
  }, []);

  return { ...state, targets: targets.data?.experiments ?? null, choose, pick: load };
}
