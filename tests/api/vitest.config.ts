import { defineConfig } from "vitest/config";
import path from "node:path";

// API route tests: the real handlers against a real SQLite file per test file (see setup.ts).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname, "../..") } },
  test: {
    root: path.resolve(__dirname, "../.."),
    include: ["tests/api/**/*.test.ts"],
    setupFiles: ["tests/api/setup.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
