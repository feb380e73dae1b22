// Maze geometry for drawing: walls, start and goal from the layout text (S start, G goal, # wall, . free).
export interface MazeGrid {
  rows: number;
  cols: number;
  walls: boolean[];
  start: number;
  goal: number;
}

export function gridFromText(text: string): MazeGrid {
  const lines = text.split("\n");
  const rows = lines.length;
  const cols = lines[0].length;
  const walls: boolean[] = [];
  let start = 0;
  let goal = 0;
  lines.forEach((line, r) =>
    [...line].forEach((ch, c) => {
      walls[r * cols + c] = ch === "#";
      if (ch === "S") start = r * cols + c;
      if (ch === "G") goal = r * cols + c;
    }),
  );
  return { rows, cols, walls, start, goal };
}

/** First step index at which the two paths are in different cells; null when one path is a prefix of the other. */
export function divergenceStep(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}
