import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  // Server modules import "server-only", which throws outside React's server condition; tests run them in plain Node.
  resolve: {
    alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(path.resolve(import.meta.dirname), "node_modules/server-only/empty.js") },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/db/**/*.test.ts", "tests/cli/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
