import { defineConfig } from "vitest/config";
import path from "node:path";

// The crash test: the built app as a separate process, killed with SIGKILL during writes (see crash.test.ts).
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
    include: ["tests/crash/**/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
