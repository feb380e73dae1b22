"use client";
// The experiment's dashboard, polled cheaply: each poll sends the version it has, and the server answers
// `{ unchanged: true }` (a few counts) until a metric or a label is written; only then comes the full dashboard.
import { useRef } from "react";
import useSWR from "swr";
import { fetcher } from "./api";
import type { DashboardDto, DashboardResponse } from "@/lib/contracts/dashboard";

/**
 * `first`: the dashboard the server rendered the page with. Complete, the first poll asks only whether it changed;
 * trimmed to the first screen (`firstComplete` false), the first poll fetches the whole.
 */
export function useDashboard(experimentId: string, refreshInterval: number, first?: DashboardDto, firstComplete = true) {
  const last = useRef<DashboardDto | null>(first && firstComplete ? first : null);
  const url = `/api/experiments/${experimentId}/dashboard`;
  return useSWR<DashboardDto>(
    url,
    async () => {
      const have = last.current?.experiment.id === experimentId ? last.current : null;
      const res = await fetcher<DashboardResponse>(have ? `${url}?since=${encodeURIComponent(have.version)}` : url);
      // The same object as before: SWR sees no change and nothing re-renders.
      if ("unchanged" in res) return have!;
      last.current = res;
      return res;
    },
    { refreshInterval, fallbackData: first },
  );
}
