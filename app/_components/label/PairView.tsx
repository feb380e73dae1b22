"use client";
// The two trajectories of a pair side by side, replayed to the same step.
import { MazeView } from "../MazeView";
import type { MazeGrid } from "../maze";
import type { PairDto } from "@/lib/contracts/label";
import { SIDE_COLORS } from "../theme";
import type { Choice } from "./useLabelQueue";

export function PairView({
  pair,
  grid,
  step,
  divergence,
  flash,
}: {
  pair: PairDto;
  grid: MazeGrid;
  step: number;
  divergence: number | null;
  flash: Choice | null;
}) {
  return (
    <div className="grid grid-cols-2 gap-2 sm:gap-4" data-testid="pair" data-pair-id={pair.pairId}>
      {(["left", "right"] as const).map((side) => {
        const t = pair[side];
        const finished = step >= t.length;
        return (
          <figure
            key={side}
            className={`rounded-lg border-2 bg-white p-1.5 shadow-sm transition-colors sm:p-3 ${flash === side ? "border-green-500" : side === "left" ? "border-side-left-soft" : "border-side-right-soft"}`}
          >
            <figcaption className="mb-1 flex items-center justify-between text-xs sm:text-sm">
              <span className="font-semibold" style={{ color: SIDE_COLORS[side] }}>
                {side === "left" ? "Left" : "Right"}
              </span>
              <span className="text-slate-500">
                {finished
                  ? t.success
                    ? `reached the goal in ${t.length} steps`
                    : `no goal after ${t.length} steps`
                  : `step ${Math.min(step, t.length)} / ${t.length}`}
              </span>
            </figcaption>
            <div className="mx-auto max-w-[26rem]">
              <MazeView grid={grid} cells={t.cells} step={step} color={SIDE_COLORS[side]} divergence={divergence} label={`${side} trajectory`} />
            </div>
          </figure>
        );
      })}
    </div>
  );
}
