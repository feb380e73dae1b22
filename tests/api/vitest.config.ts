import { defineConfig } from "vitest/config";
import path from "node:path";

// API route tests: the real handlers against a real SQLite file per test file (see setup.ts).
export default defineConfig({
  // Server modules import "server-only", which throws outside React's server condition; tests run them in plain Node.
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "../.."),
      "server-only": path.resolve(path.resolve(import.meta.dirname, "../.."), "node_modules/server-only/empty.js"),
    },
  },
  test: {
    root: path.resolve(import.meta.dirname, "../.."),
    include: ["tests/api/**/*.test.ts"],
    setupFiles: ["tests/api/setup.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
