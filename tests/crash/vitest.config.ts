import { defineConfig } from "vitest/config";
import path from "node:path";

// The crash test: the built app as a separate process, killed with SIGKILL during writes (see crash.test.ts).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "../..") } },
  test: {
    root: path.resolve(import.meta.dirname, "../.."),
    include: ["tests/crash/**/*.test.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
