// The app's design tokens, in one place: Tailwind classes come from them (tailwind.config.ts), and so do the
// colours drawn by SVG and the charts, so "left" is the same blue on the label screen and on the dashboards.
export const colors = {
  /** The left / right trajectory of a pair, everywhere a pair is shown or counted. */
  "side-left": { DEFAULT: "#2563eb", soft: "#bfdbfe", strong: "#1d4ed8" },
  "side-right": { DEFAULT: "#ea580c", soft: "#fed7aa", strong: "#c2410c" },
  /** Main actions (submit, start). */
  primary: { DEFAULT: "#2563eb", strong: "#1d4ed8" },
  /** Page background, cards and the header. */
  surface: { DEFAULT: "#ffffff", page: "#f8fafc", header: "#1e293b" },
} as const;

export const SIDE_COLORS = { left: colors["side-left"].DEFAULT, right: colors["side-right"].DEFAULT } as const;

/** Chart colours: one per quantity, the same on every chart that draws it. */
export const CHART_COLORS = {
  grid: "#f1f5f9",
  axis: "#64748b",
  roundLine: "#94a3b8",
  return: "#1d4ed8",
  returnSpread: "#bfdbfe",
  success: "#16a34a",
  trainSuccess: "#86efac",
  accuracy: "#0d9488",
  rewardLoss: "#9333ea",
  policyLoss: "#dc2626",
  spearman: "#7c3aed",
  compareA: "#1d4ed8",
  compareB: "#ea580c",
  equal: "#64748b",
  skip: "#cbd5e1",
  neutral: "#475569",
} as const;

/** The heatmap scale, low to high (blue to red; walls are grey stripes, outside the scale). */
export const HEATMAP_STOPS = ["#313695", "#4575b4", "#abd9e9", "#fee090", "#f46d43"] as const;
