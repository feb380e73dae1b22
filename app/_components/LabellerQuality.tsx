"use client";
// Each labeller's quality on one experiment: agreement with the maze's exact truth on every decided label (any
// mode), gold pairs answered right, and the median time to a choice.
import useSWR from "swr";
import { fetcher } from "./api";
import type { LabellersDto } from "@/lib/contracts/labellers";

const pct = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);
const seconds = (ms: number | null) => (ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`);

/** `first`: what the server rendered the page with (first-view.ts); polls take over from it. */
export function LabellerQuality({ experimentId, first }: { experimentId: string; first?: LabellersDto }) {
  const { data, error } = useSWR<LabellersDto>(`/api/experiments/${experimentId}/labellers`, fetcher, { refreshInterval: 5000, fallbackData: first });
  return (
    <section className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 shadow-sm sm:p-4" data-testid="labeller-quality">
      <h2 className="font-semibold">Labellers against the exact truth</h2>
      <p className="mt-1 text-xs text-slate-500">
        Truth: the run that reached the goal; else the one that ended fewer maze steps from it (walls counted); else the shorter. Gold pairs are known-answer
        pairs mixed into the queue; they measure people and do not train.
      </p>
      {error && <p className="mt-2 text-sm text-red-700">Could not load: {(error as Error).message}</p>}
      {data && data.labellers.length === 0 && <p className="mt-2 text-sm text-slate-600">No one has labelled this experiment yet.</p>}
      {data && data.labellers.length > 0 && (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full min-w-[28rem] text-sm tabular-nums">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-3 font-medium">labeller</th>
                <th className="py-1 pr-3 font-medium">decided</th>
                <th className="py-1 pr-3 font-medium">agrees with truth</th>
                <th className="py-1 pr-3 font-medium">gold right</th>
                <th className="py-1 pr-3 font-medium">skips</th>
                <th className="py-1 font-medium">median time</th>
              </tr>
            </thead>
            <tbody>
              {data.labellers.map((l) => (
                <tr key={l.user} className="border-t border-slate-100" data-testid="labeller-row" data-user={l.user}>
                  <td className="py-1 pr-3 font-medium">{l.user}</td>
                  <td className="py-1 pr-3">{l.decided}</td>
                  <td className="py-1 pr-3" data-testid="truth-agreement">
                    {pct(l.truth.rate)}{" "}
                    <span className="text-xs text-slate-500">
                      ({l.truth.agree} of {l.truth.compared})
                    </span>
                  </td>
                  <td className="py-1 pr-3">
                    {l.gold.labels ? (
                      <>
                        {pct(l.gold.rate)}{" "}
                        <span className="text-xs text-slate-500">
                          ({l.gold.correct} of {l.gold.labels})
                        </span>
                      </>
                    ) : (
                      "–"
                    )}
                  </td>
                  <td className="py-1 pr-3">{l.skips}</td>
                  <td className="py-1">{seconds(l.medianResponseMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
