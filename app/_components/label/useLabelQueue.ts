"use client";
// The labelling screen's data: which experiment, the pair on screen and the one preloaded behind it, queue
// counts, the round waiting for labels, and sending choices. Labels go out one after another in the background
// so the next pair shows at once; only the answer to the latest choice decides what is shown (the server leased
// that pair). Leases are taken by POST only; the screen polls read-only routes (targets, queue) to stay live:
// an idle screen notices new pairs within a second and takes one.
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from "react";
import useSWR from "swr";
import { ApiError, fetcher, send } from "../api";
import type { LabelResultDto, LabelTargetDto, LateLabelDto, NextDto, PairDto, QueueStatsDto, QueueStatusDto, WaitingRoundDto } from "@/lib/contracts/label";
import type { Choice } from "@/lib/contracts/words";

export type { Choice } from "@/lib/contracts/words";

/** How often an idle (empty) screen asks whether work arrived, and a busy one refreshes its counts. */
export const IDLE_POLL_MS = 1000;
export const BUSY_POLL_MS = 4000;
const TARGETS_POLL_MS = 5000;

interface QueueState {
  experimentId: string | null;
  current: PairDto | null;
  upcoming: PairDto | null;
  stats: QueueStatsDto | null;
  round: WaitingRoundDto | null;
  /** The first answer (a pair or an empty queue) has arrived. */
  loaded: boolean;
  /** Labels given on this page since it opened (skips do not count). */
  session: number;
  /** Labels sent but not yet answered. */
  pending: number;
  error: string | null;
  /** The last label that arrived after its round closed (shown as a notice). */
  late: (LateLabelDto & { at: number }) | null;
}

type Action =
  | { type: "served"; next: NextDto }
  | { type: "status"; status: QueueStatusDto }
  | { type: "empty" }
  | { type: "pick"; experimentId: string }
  | { type: "chosen"; choice: Choice }
  | { type: "sent" }
  | { type: "answered"; late: LateLabelDto | null }
  | { type: "failed"; message: string }
  | { type: "error"; message: string | null };

function reducer(s: QueueState, a: Action): QueueState {
  switch (a.type) {
    case "served":
      return {
        ...s,
        current: a.next.pair,
        upcoming: a.next.upcoming,
        stats: a.next.stats,
        round: a.next.round,
        experimentId: a.next.stats.experimentId,
        loaded: true,
      };
    case "status":
      return a.status.stats.experimentId === s.experimentId ? { ...s, stats: s.pending ? s.stats : a.status.stats, round: a.status.round } : s;
    case "empty":
      return { ...s, current: null, loaded: true };
    case "pick":
      return { ...s, experimentId: a.experimentId, error: null };
    case "chosen": {
      const decided = a.choice !== "skip";
      // Open pairs are left as they are: whether this label closes its pair (k labels) only the server knows.
      const stats = s.stats && { ...s.stats, labelledByYou: s.stats.labelledByYou + (decided ? 1 : 0) };
      // Show the preloaded pair now; the server confirms (and leases) it with the label's answer.
      return { ...s, current: s.upcoming, upcoming: null, session: s.session + (decided ? 1 : 0), stats, pending: s.pending + 1 };
    }
    case "sent":
      return { ...s, pending: s.pending - 1 };
    case "answered":
      return { ...s, error: null, late: a.late ? { ...a.late, at: Date.now() } : s.late };
    case "failed":
      return { ...s, error: a.message };
    case "error":
      return { ...s, error: a.message, loaded: true };
  }
}

const take = (experimentId: string) => send<NextDto>("/api/label/next", "POST", { experimentId });
const reason = (e: unknown) => (e instanceof ApiError ? e.message : "could not reach the server");

/**
 * Resolves once the browser has painted the frame being prepared (a frame, then a task). A hidden tab paints no
 * frames, so a timer resolves it anyway: a label is never held back for long.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}

export function useLabelQueue(initialExperiment: string | null) {
  const [state, dispatch] = useReducer(reducer, {
    experimentId: initialExperiment,
    current: null,
    upcoming: null,
    stats: null,
    round: null,
    loaded: false,
    session: 0,
    pending: 0,
    error: null,
    late: null,
  });
  // The experiments one can label (the round waiting for labels first), refreshed so the picker's counts stay true.
  const targets = useSWR<{ experiments: LabelTargetDto[]; total: number }>("/api/label/targets", fetcher, { refreshInterval: TARGETS_POLL_MS });
  // `choose` reads the pair on screen from here, so it keeps one identity across renders.
  const shown = useRef<PairDto | null>(null);
  const upcomingRef = useRef<PairDto | null>(null);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const choiceSeq = useRef(0);
  const shownAt = useRef(0);
  const loading = useRef(false);
  /** The person picked an experiment (link or picker): do not move them to another one. */
  const picked = useRef(initialExperiment !== null);

  /** Leases the next pair of `experimentId`, or of the first experiment with work (the waiting round first) when none is chosen. */
  const load = useCallback(async (experimentId: string | null) => {
    if (loading.current) return;
    loading.current = true;
    if (experimentId) dispatch({ type: "pick", experimentId });
    try {
      const list = experimentId ? null : (await fetcher<{ experiments: LabelTargetDto[] }>("/api/label/targets")).experiments;
      const chosen = experimentId ?? (list!.find((t) => t.round || t.openPairs > 0) ?? list![0])?.id ?? null;
      if (chosen) dispatch({ type: "served", next: await take(chosen) });
      else dispatch({ type: "empty" });
    } catch (e) {
      dispatch({ type: "error", message: reason(e) });
    } finally {
      loading.current = false;
    }
  }, []);

  useEffect(() => {
    void load(initialExperiment);
  }, [initialExperiment, load]);

  // Live: the queue's counts and its round, read only; an idle screen asks every second.
  const idle = state.loaded && !state.current && state.pending === 0;
  const status = useSWR<QueueStatusDto>(state.experimentId ? `/api/label/queue?experiment=${encodeURIComponent(state.experimentId)}` : null, fetcher, {
    refreshInterval: idle ? IDLE_POLL_MS : BUSY_POLL_MS,
    dedupingInterval: IDLE_POLL_MS / 2,
  });
  const statusData = status.data;
  useEffect(() => {
    if (statusData) dispatch({ type: "status", status: statusData });
  }, [statusData]);
  // Work arrived while idle: take it (here, or, unless the person chose an experiment, where a round waits).
  const targetList = targets.data?.experiments;
  useEffect(() => {
    if (!idle) return;
    if (statusData && statusData.stats.experimentId === state.experimentId && statusData.stats.openPairs > 0) void load(state.experimentId);
    else if (!picked.current && targetList) {
      const busy = targetList.find((t) => t.id !== state.experimentId && (t.round || t.openPairs > 0));
      if (busy) void load(busy.id);
    }
  }, [idle, statusData, targetList, state.experimentId, load]);

  const onScreen = state.current;
  const preloaded = state.upcoming;
  useLayoutEffect(() => {
    shown.current = onScreen;
    upcomingRef.current = preloaded;
  }, [onScreen, preloaded]);
  // Response time counts from when a pair first shows (a preloaded pair shows before the server confirms it).
  const onScreenId = onScreen?.pairId;
  useLayoutEffect(() => {
    shownAt.current = performance.now();
  }, [onScreenId]);

  const mutateTargets = targets.mutate;
  const choose = useCallback(
    (choice: Choice) => {
      const pair = shown.current;
      if (!pair) return;
      // The preloaded pair about to show: the answer should lease that one, so the screen does not change under the labeller.
      const nextPairId = upcomingRef.current?.pairId;
      const responseMs = Math.round(performance.now() - shownAt.current);
      const labelId = crypto.randomUUID();
      const seq = ++choiceSeq.current;
      dispatch({ type: "chosen", choice });
      // The label is sent once the next pair has been painted: on a busy machine its request (and the server's work
      // on the same cores) would otherwise compete with drawing that pair.
      chain.current = chain.current.then(afterNextPaint).then(async () => {
        try {
          const res = await send<LabelResultDto>(`/api/pairs/${pair.pairId}/label`, "POST", { labelId, choice, responseMs, nextPairId });
          if (seq === choiceSeq.current) dispatch({ type: "served", next: res.next });
          dispatch({ type: "answered", late: res.late });
        } catch (e) {
          dispatch({
            type: "failed",
            message: e instanceof ApiError ? `That label was not saved: ${e.message}` : "That label was not saved: the server did not answer",
          });
          const again = await take(pair.experimentId).catch(() => null);
          if (again && seq === choiceSeq.current) dispatch({ type: "served", next: again });
        } finally {
          dispatch({ type: "sent" });
          if (seq === choiceSeq.current) void mutateTargets();
        }
      });
    },
    [mutateTargets],
  );

  const pick = useCallback(
    (experimentId: string) => {
      picked.current = true;
      return load(experimentId);
    },
    [load],
  );

  return { ...state, targets: targetList ?? null, choose, pick };
}
