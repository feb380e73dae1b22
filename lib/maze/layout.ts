import { Rng } from "../rng";

/** A rectangular grid maze; cells are numbered row-major: cell = row * cols + col. */
export interface MazeLayout {
  readonly rows: number;
  readonly cols: number;
  /** 1 where a wall stands, 0 where the agent may go. */
  readonly walls: Uint8Array;
  readonly start: number;
  readonly goal: number;
}

export const MAX_SIDE = 32;

/** The original 8x8 maze: start (0,0), goal (7,7), a wall in column 4 on rows 1..5. */
export const DEFAULT_LAYOUT_TEXT = ["S.......", "....#...", "....#...", "....#...", "....#...", "....#...", "........", ".......G"].join("\n");

export class LayoutError extends Error {
  constructor(
    message: string,
    /** 0-based row and column of the offending character, when there is one. */
    readonly row?: number,
    readonly col?: number,
  ) {
    super(row === undefined ? message : `${message} at row ${row + 1}, column ${(col ?? 0) + 1}`);
    this.name = "LayoutError";
  }
}

export const cellOf = (layout: Pick<MazeLayout, "cols">, row: number, col: number) => row * layout.cols + col;
export const rowColOf = (layout: Pick<MazeLayout, "cols">, cell: number): [number, number] => [Math.floor(cell / layout.cols), cell % layout.cols];

/** Parses `S` start, `G` goal, `#` wall, `.` free; blank lines around the grid and trailing spaces are ignored. */
export function parseLayout(text: string): MazeLayout {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.trimEnd());
  while (lines.length && lines[0] === "") lines.shift();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new LayoutError("layout is empty");
  const rows = lines.length;
  const cols = lines[0].length;
  if (rows > MAX_SIDE || cols > MAX_SIDE) {
    throw new LayoutError(`layout is ${rows}x${cols}; at most ${MAX_SIDE}x${MAX_SIDE} is allowed`);
  }
  if (rows * cols < 2) throw new LayoutError("layout needs at least two cells");
  const walls = new Uint8Array(rows * cols);
  let start = -1;
  let goal = -1;
  for (let r = 0; r < rows; r++) {
    if (lines[r].length !== cols) {
      throw new LayoutError(`layout is not rectangular: row has ${lines[r].length} columns, expected ${cols}`, r, Math.min(lines[r].length, cols));
    }
    for (let c = 0; c < cols; c++) {
      const ch = lines[r][c];
      const cell = r * cols + c;
      if (ch === "#") walls[cell] = 1;
      else if (ch === "S") {
        if (start >= 0) throw new LayoutError("more than one start 'S'", r, c);
        start = cell;
      } else if (ch === "G") {
        if (goal >= 0) throw new LayoutError("more than one goal 'G'", r, c);
        goal = cell;
      } else if (ch !== ".") {
        throw new LayoutError(`unknown character '${ch}' (use S, G, # or .)`, r, c);
      }
    }
  }
  if (start < 0) throw new LayoutError("no start 'S'");
  if (goal < 0) throw new LayoutError("no goal 'G'");
  const layout: MazeLayout = { rows, cols, walls, start, goal };
  if (!reachable(layout, start, goal)) {
    const [gr, gc] = rowColOf(layout, goal);
    throw new LayoutError("goal 'G' cannot be reached from the start", gr, gc);
  }
  return layout;
}

export function layoutToText(layout: MazeLayout): string {
  const lines: string[] = [];
  for (let r = 0; r < layout.rows; r++) {
    let line = "";
    for (let c = 0; c < layout.cols; c++) {
      const cell = r * layout.cols + c;
      line += cell === layout.start ? "S" : cell === layout.goal ? "G" : layout.walls[cell] ? "#" : ".";
    }
    lines.push(line);
  }
  return lines.join("\n");
}

export const defaultLayout = (): MazeLayout => parseLayout(DEFAULT_LAYOUT_TEXT);

/** Free neighbours of a cell in action order up, right, down, left (walls and edges excluded). */
export function neighbours(layout: MazeLayout, cell: number): number[] {
  const [r, c] = rowColOf(layout, cell);
  const out: number[] = [];
  for (const [dr, dc] of MOVES) {
    const nr = r + dr;
    const nc = c + dc;
    if (nr < 0 || nc < 0 || nr >= layout.rows || nc >= layout.cols) continue;
    const n = nr * layout.cols + nc;
    if (!layout.walls[n]) out.push(n);
  }
  return out;
}

/** Row and column change of each action: 0 up, 1 right, 2 down, 3 left (the original's order). */
export const MOVES: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

function reachable(layout: MazeLayout, from: number, to: number): boolean {
  const seen = new Uint8Array(layout.rows * layout.cols);
  const queue = [from];
  seen[from] = 1;
  for (let i = 0; i < queue.length; i++) {
    if (queue[i] === to) return true;
    for (const n of neighbours(layout, queue[i])) {
      if (!seen[n]) {
        seen[n] = 1;
        queue.push(n);
      }
    }
  }
  return false;
}

export interface RandomLayoutOptions {
  rows: number;
  cols: number;
  seed: number;
  /** Fraction of cells turned into walls, in [0, 0.6]. */
  wallDensity?: number;
}

/**
 * A random solvable maze: start top-left, goal bottom-right, walls placed at random; a wall that would
 * cut the goal off from the start is not placed, so the result is always solvable and deterministic in the seed.
 */
export function randomLayout({ rows, cols, seed, wallDensity = 0.25 }: RandomLayoutOptions): MazeLayout {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 2 || cols < 2 || rows > MAX_SIDE || cols > MAX_SIDE) {
    throw new LayoutError(`random maze size must be between 2x2 and ${MAX_SIDE}x${MAX_SIDE}, got ${rows}x${cols}`);
  }
  if (!(wallDensity >= 0 && wallDensity <= 0.6)) throw new LayoutError(`wallDensity must be in [0, 0.6], got ${wallDensity}`);
  const rng = new Rng(`maze:${seed}`);
  const walls = new Uint8Array(rows * cols);
  const layout: MazeLayout = { rows, cols, walls, start: 0, goal: rows * cols - 1 };
  const candidates = rng.sample(
    Array.from({ length: rows * cols }, (_, i) => i).filter((c) => c !== layout.start && c !== layout.goal),
    rows * cols - 2,
  );
  const target = Math.round(wallDensity * rows * cols);
  let placed = 0;
  for (const cell of candidates) {
    if (placed >= target) break;
    walls[cell] = 1;
    if (reachable(layout, layout.start, layout.goal)) placed++;
    else walls[cell] = 0;
  }
  return layout;
}
