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
