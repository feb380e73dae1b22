// ESLint: Next's rules (core web vitals, React hooks) and its TypeScript rules, plus the project's layering:
// learning code never imports the web or the database, and the browser never imports server modules.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "generated/**", "data/**", "scratch/**", "test-results/**", "playwright-report/**", "bench-out/**", "next-env.d.ts"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Tests and benchmarks read arbitrary JSON answers and browser globals.
    files: ["tests/**", "scripts/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["lib/rl/**", "lib/maze/**", "lib/labelers/**", "lib/rng.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["next", "next/*", "react", "react-dom", "@prisma/*", "**/generated/**", "**/server/**", "@/lib/server/**", "server-only"],
              message: "learning code stays free of the web, React and the database",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["app/_components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/server/**", "**/lib/server/**"],
              allowTypeImports: false,
              message: "client components take their shapes from lib/contracts, not from server modules",
            },
            {
              // Contract modules build zod schemas when loaded: a value import puts zod (~110 KB) into every page that
              // shows the component. Types are free; values the browser needs live in zod-free modules.
              group: ["@/lib/contracts/*", "!@/lib/contracts/words", "!@/lib/contracts/safe-next", "!@/lib/contracts/episode-curves"],
              allowTypeImports: true,
              message:
                "this contract module loads zod into the page: import types only, or move the value to a zod-free module (words.ts, safe-next.ts, episode-curves.ts)",
            },
          ],
        },
      ],
    },
  },
]);
