"use client";
// One trajectory on the maze: walls, start, goal, the trail up to `step`, the agent, and where the paths part.
import type { MazeGrid } from "./maze";

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
  const size = 10;
  const shown = Math.min(step, cells.length - 1);
  const centre = (cell: number) => [(cell % grid.cols) * size + size / 2, Math.floor(cell / grid.cols) * size + size / 2] as const;
  const points = cells
    .slice(0, shown + 1)
    .map((c) => centre(c).join(","))
    .join(" ");
  const [ax, ay] = centre(cells[shown]);
  const split = divergence !== null && divergence > 0 && shown >= divergence - 1 ? centre(cells[divergence - 1]) : null;
  const visits = new Map<number, number>();
  for (const c of cells.slice(0, shown + 1)) visits.set(c, (visits.get(c) ?? 0) + 1);
  return (
    <svg
      viewBox={`-1 -1 ${grid.cols * size + 2} ${grid.rows * size + 2}`}
      className="h-auto w-full rounded-md bg-white shadow-inner"
      role="img"
      aria-label={label}
    >
      {grid.walls.map((wall, cell) => {
        const x = (cell % grid.cols) * size;
        const y = Math.floor(cell / grid.cols) * size;
        const fill = wall ? "#334155" : cell === grid.goal ? "#fde68a" : cell === grid.start ? "#bbf7d0" : (visits.get(cell) ?? 0) > 1 ? "#f1f5f9" : "#ffffff";
        return <rect key={cell} x={x} y={y} width={size} height={size} fill={fill} stroke="#e2e8f0" strokeWidth={0.3} />;
      })}
      <text x={centre(grid.start)[0]} y={centre(grid.start)[1] + 2} fontSize={5} textAnchor="middle" fill="#166534">
        S
      </text>
      <text x={centre(grid.goal)[0]} y={centre(grid.goal)[1] + 2} fontSize={5} textAnchor="middle" fill="#92400e">
        G
      </text>
      <polyline points={points} fill="none" stroke={color} strokeOpacity={0.55} strokeWidth={2.2} strokeLinejoin="round" strokeLinecap="round" />
      {split && (
        <circle cx={split[0]} cy={split[1]} r={4.2} fill="none" stroke="#dc2626" strokeWidth={1} strokeDasharray="1.5 1" data-testid="divergence-marker" />
      )}
      <circle cx={ax} cy={ay} r={3} fill={color} stroke="#fff" strokeWidth={0.8} />
    </svg>
  );
}
