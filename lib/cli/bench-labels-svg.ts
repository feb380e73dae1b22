// The label-efficiency chart of npm run bench:labels as a plain SVG string (no browser, no chart library).
import { BUDGETS, variantKey, budgetLabel, type Budget, type Cell, type Teacher } from "./bench-labels-plan";

/** x positions: 0 labels (the no-label control), then the doubling budgets (evenly spaced = a log scale), then unlimited. */
export type XKey = 0 | Budget;
export const X_KEYS: XKey[] = [0, ...BUDGETS];

export interface SeriesPoint {
  x: XKey;
  /** Share of seeds with eval >= 0.95. */
  success: number;
  /** Mean reward Spearman; null when not measured. */
  spearman: number | null;
}
export interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: SeriesPoint[];
}

export const CHART = { width: 880, height: 420, panelWidth: 340, panelHeight: 260, top: 50, left: 60, gap: 90 };

/** Panel p (0: success, 1: Spearman): pixel x of a label budget. */
export function xFor(panel: number, x: XKey): number {
  const i = X_KEYS.indexOf(x);
  if (i < 0) throw new Error(`no x position for ${x}`);
  const x0 = CHART.left + panel * (CHART.panelWidth + CHART.gap);
  return x0 + (i / (X_KEYS.length - 1)) * CHART.panelWidth;
}

/** Pixel y of a value within [lo, hi] (hi at the top). */
export function yFor(value: number, lo: number, hi: number): number {
  return CHART.top + ((hi - value) / (hi - lo)) * CHART.panelHeight;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];

export function buildSvg(series: Series[], opts: { title: string; unlimitedNote?: string }): string {
  const { width, height, panelWidth, panelHeight, top } = CHART;
  // Spearman can be negative: widen the panel downwards in steps of 0.5 when it is.
  const lowest = Math.min(0, ...series.flatMap((s) => s.points.map((p) => p.spearman ?? 0)));
  const rhoLo = Math.floor(lowest * 2) / 2;
  const panels = [
    { title: "seeds with eval success >= 0.95 (share)", lo: 0, hi: 1, value: (p: SeriesPoint) => p.success },
    { title: "mean reward Spearman (learned reward vs -distance)", lo: rhoLo, hi: 1, value: (p: SeriesPoint) => p.spearman },
  ];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  panels.forEach((panel, pi) => {
    const x0 = xFor(pi, 0);
    const yTop = yFor(panel.hi, panel.lo, panel.hi);
    const yBottom = yFor(panel.lo, panel.lo, panel.hi);
    out.push(`<g class="panel">`, `<text x="${n1(x0 + panelWidth / 2)}" y="${top - 12}" text-anchor="middle" font-size="13">${esc(panel.title)}</text>`);
    // Horizontal grid every 0.25 (0.5 on a wider range), labelled.
    const step = panel.hi - panel.lo > 1 ? 0.5 : 0.25;
    for (let v = panel.lo; v <= panel.hi + 1e-9; v += step) {
      const y = n1(yFor(v, panel.lo, panel.hi));
      out.push(`<line x1="${n1(x0)}" y1="${y}" x2="${n1(x0 + panelWidth)}" y2="${y}" stroke="#dddddd"/>`);
      out.push(`<text x="${n1(x0 - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${v.toFixed(2)}</text>`);
    }
    for (const k of X_KEYS) {
      const x = n1(xFor(pi, k));
      out.push(`<line x1="${x}" y1="${n1(yTop)}" x2="${x}" y2="${n1(yBottom)}" stroke="#eeeeee"/>`);
      out.push(`<text x="${x}" y="${n1(yBottom + 16)}" text-anchor="middle">${k === "unlimited" ? "unlimited" : k}</text>`);
    }
    // The axis break between the 0-label control and the log-spaced budgets.
    const xb = (xFor(pi, 0) + xFor(pi, 25)) / 2;
    out.push(`<text x="${n1(xb)}" y="${n1(yBottom + 4)}" text-anchor="middle" font-size="14">//</text>`);
    out.push(`<rect x="${n1(x0)}" y="${n1(yTop)}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#333333"/>`);
    out.push(`<text x="${n1(x0 + panelWidth / 2)}" y="${n1(yBottom + 34)}" text-anchor="middle">labels (budget; doubling steps, log scale)</text>`);
    // Markers after every line: solid dots for the oracle, hollow squares (one size per series, so
    // points that coincide stay visible as nested squares) for the mistake teacher, drawn last.
    const markers: { c: string; s: Series; si: number }[] = [];
    for (const [si, s] of series.entries()) {
      const pts = s.points.filter((p) => panel.value(p) !== null).sort((a, b) => X_KEYS.indexOf(a.x) - X_KEYS.indexOf(b.x));
      if (!pts.length) continue;
      const coords = pts.map((p) => `${n1(xFor(pi, p.x))},${n1(yFor(panel.value(p)!, panel.lo, panel.hi))}`);
      out.push(
        `<polyline class="series" data-series="${esc(s.label)}" points="${coords.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
      );
      markers.push(...coords.map((c) => ({ c, s, si })));
    }
    for (const { c, s } of markers.filter((m) => !m.s.dashed)) {
      const [cx, cy] = c.split(",");
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}"/>`);
    }
    for (const { c, s, si } of markers.filter((m) => m.s.dashed)) {
      const [cx, cy] = c.split(",").map(Number);
      const h = 4 + 2.5 * si;
      out.push(`<rect x="${n1(cx - h)}" y="${n1(cy - h)}" width="${n1(2 * h)}" height="${n1(2 * h)}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    }
    out.push(`</g>`);
  });
  // Legend under the panels.
  const ly = top + panelHeight + 58;
  series.forEach((s, i) => {
    const col = i % 3;
    const rowY = ly + Math.floor(i / 3) * 18;
    const lx = CHART.left + col * 270;
    out.push(
      `<line x1="${lx}" y1="${rowY}" x2="${lx + 28}" y2="${rowY}" stroke="${s.color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
      s.dashed
        ? `<rect x="${lx + 10}" y="${rowY - 4}" width="8" height="8" fill="#ffffff" stroke="${s.color}" stroke-width="1.5"/>`
        : `<circle cx="${lx + 14}" cy="${rowY}" r="3.5" fill="${s.color}"/>`,
      `<text x="${lx + 34}" y="${rowY}" dominant-baseline="middle">${esc(s.label)}</text>`,
    );
  });
  if (opts.unlimitedNote) {
    out.push(`<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#555555">${esc(opts.unlimitedNote)}</text>`);
  }
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

/** One line per maze and teacher (in-memory loop), the no-label control as the oracle's point at 0 labels. */
export function seriesFromCells(cells: Cell[], mazes: string[]): Series[] {
  const series: Series[] = [];
  mazes.forEach((maze, mi) => {
    for (const teacher of ["oracle", "mistake20"] as Teacher[]) {
      const points: SeriesPoint[] = [];
      for (const x of X_KEYS) {
        const key = x === 0 ? (teacher === "oracle" ? "nolabels" : null) : `${teacher}/memory/${budgetLabel(x)}`;
        const c = key && cells.find((c) => c.maze === maze && variantKey(c.variant) === key);
        if (c) points.push({ x, success: c.successes / c.n, spearman: c.meanSpearman });
      }
      if (points.length)
        series.push({
          label: `${maze}, ${teacher === "oracle" ? "oracle" : "20% mistakes"}`,
          color: PALETTE[mi % PALETTE.length],
          dashed: teacher !== "oracle",
          points,
        });
    }
  });
  return series;
}
