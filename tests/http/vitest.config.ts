import { defineConfig } from "vitest/config";
import path from "node:path";

// Against the BUILT app (`next build`, reused when newer than the sources, as the crash test does): the HTTP
// fuzz suite, probes of what the route handlers never see (methods, paths, headers), and start-up on a corrupt
// database file. One file at a time: each starts its own `next start`.
export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "../.."),
      "server-only": path.resolve(path.resolve(import.meta.dirname, "../.."), "node_modules/server-only/empty.js"),
    },
  },
  test: {
    root: path.resolve(import.meta.dirname, "../.."),
    include: ["tests/http/**/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
  },
});
