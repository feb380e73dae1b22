// Loaded by app/globals.css (`@config`): the design tokens of app/_components/theme.ts as Tailwind colours
// (bg-side-left, border-side-right-soft, bg-primary, bg-surface-page, ...).
import type { Config } from "tailwindcss";
import { colors } from "./app/_components/theme";

const config: Config = {
  content: ["./app/**/*.{ts,tsx}"],
  theme: { extend: { colors } },
};

export default config;
