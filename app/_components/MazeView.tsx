"use client";
// One trajectory on the maze: walls, start, goal, the trail up to `step`, the agent, and where the paths part.
// Time order reads from the trail itself: each step is a segment that goes from faint (early) to full colour
// (late), with an arrowhead every few steps; a path that walks the same corridor again is drawn beside its
// earlier passes, not on top; a square marks where the run ended; hovering a cell names its step numbers.
import type { MazeGrid } from "./maze";

const SIZE = 10;
const ARROW_EVERY = 4;
/** Room between passes of one corridor, and how many passes get their own lane. */
const LANE = 1.1;
const MAX_LANES = 3;

export function MazeView({
  grid,
  cells,
  step,
  color,
  divergence,
  label,
}: {
  grid: MazeGrid;
  cells: readonly number[];
  step: number;
  color: string;
  /** Step index at which this path leaves the other one. */
  divergence: number | null;
  label: string;
}) {
  const last = cells.length - 1;
  const shown = Math.min(step, last);
  const centre = (cell: number) => [(cell % grid.cols) * SIZE + SIZE / 2, Math.floor(cell / grid.cols) * SIZE + SIZE / 2] as const;
  const [ax, ay] = centre(cells[shown]);
  const split = divergence !== null && divergence > 0 && shown >= divergence - 1 ? centre(cells[divergence - 1]) : null;

  // Steps at each cell (for hover), and the segments walked so far with their lane and fade.
  const stepsAt = new Map<number, number[]>();
  cells.slice(0, shown + 1).forEach((c, i) => stepsAt.set(c, [...(stepsAt.get(c) ?? []), i]));
  const passes = new Map<string, number>();
  const segments: { x1: number; y1: number; x2: number; y2: number; opacity: number; i: number }[] = [];
  for (let i = 0; i < shown; i++) {
    const a = cells[i];
    const b = cells[i + 1];
    if (a === b) continue; // bumped into a wall: no move
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const pass = passes.get(key) ?? 0;
    passes.set(key, pass + 1);
    const [x1, y1] = centre(a);
    const [x2, y2] = centre(b);
    // Lanes alternate either side of the corridor's centre line: 0, +1, -1, +2, ...
    const lane = Math.min(pass, MAX_LANES);
    const offset = (lane % 2 ? 1 : -1) * Math.ceil(lane / 2) * LANE;
    const [nx, ny] = [-(y2 - y1) / SIZE, (x2 - x1) / SIZE];
    segments.push({
      x1: x1 + nx * offset,
      y1: y1 + ny * offset,
      x2: x2 + nx * offset,
      y2: y2 + ny * offset,
      opacity: 0.2 + 0.8 * ((i + 1) / Math.max(1, last)),
      i,
    });
  }

  return (
    <svg
      viewBox={`-1 -1 ${grid.cols * SIZE + 2} ${grid.rows * SIZE + 2}`}
      className="h-auto w-full rounded-md bg-white shadow-inner"
      role="img"
      aria-label={label}
    >
      {grid.walls.map((wall, cell) => {
        const x = (cell % grid.cols) * SIZE;
        const y = Math.floor(cell / grid.cols) * SIZE;
        const fill = wall ? "#334155" : cell === grid.goal ? "#fde68a" : cell === grid.start ? "#bbf7d0" : "#ffffff";
        return <rect key={cell} x={x} y={y} width={SIZE} height={SIZE} fill={fill} stroke="#e2e8f0" strokeWidth={0.3} />;
      })}
      <text x={centre(grid.start)[0]} y={centre(grid.start)[1] + 2} fontSize={5} textAnchor="middle" fill="#166534">
        S
      </text>
      <text x={centre(grid.goal)[0]} y={centre(grid.goal)[1] + 2} fontSize={5} textAnchor="middle" fill="#92400e">
        G
      </text>
      <g stroke={color} strokeWidth={1.6} strokeLinecap="round" data-testid="trail">
        {segments.map((s) => (
          <line key={s.i} x1={s.x1} y1={s.y1} x2={s.x2} y2={s.y2} strokeOpacity={s.opacity} />
        ))}
      </g>
      <g fill={color}>
        {segments
          .filter((s) => s.i % ARROW_EVERY === ARROW_EVERY - 1)
          .map((s) => {
            const angle = (Math.atan2(s.y2 - s.y1, s.x2 - s.x1) * 180) / Math.PI;
            return (
              <path
                key={s.i}
                d="M -1.6 -1.5 L 1.6 0 L -1.6 1.5 z"
                transform={`translate(${(s.x1 + s.x2) / 2} ${(s.y1 + s.y2) / 2}) rotate(${angle})`}
                fillOpacity={Math.min(1, s.opacity + 0.1)}
              />
            );
          })}
      </g>
      {split && (
        <circle cx={split[0]} cy={split[1]} r={4.2} fill="none" stroke="#dc2626" strokeWidth={1} strokeDasharray="1.5 1" data-testid="divergence-marker" />
      )}
      {shown === last && (
        <rect x={ax - 3.8} y={ay - 3.8} width={7.6} height={7.6} fill="none" stroke={color} strokeWidth={1.2} data-testid="end-marker">
          <title>{`ended here after ${last} steps`}</title>
        </rect>
      )}
      <circle cx={ax} cy={ay} r={2.6} fill={color} stroke="#fff" strokeWidth={0.8} />
      {[...stepsAt.entries()].map(([cell, steps]) => {
        const [x, y] = centre(cell);
        return (
          <rect key={cell} x={x - SIZE / 2} y={y - SIZE / 2} width={SIZE} height={SIZE} fill="transparent">
            <title>{`step${steps.length > 1 ? "s" : ""} ${steps.join(", ")}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
