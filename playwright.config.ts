// Browser tests in Debian's chromium (never a downloaded browser): the web server is built and started here
// against a fresh SQLite file, with its training worker, exactly as `npm start` runs it.
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./tests/e2e/chromium";

const port = Number(process.env.E2E_PORT ?? 3210);
// Set once in the runner process; test workers inherit it.
process.env.E2E_DB ??= `/tmp/oprl-e2e-${process.pid}-${Date.now()}.db`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    trace: "off",
  },
  webServer: {
    // E2E_SKIP_BUILD=1 reuses an existing .next build.
    command: `${process.env.E2E_SKIP_BUILD ? "" : "npx next build && "}node --require ./lib/server/http/peer-address.cjs node_modules/next/dist/bin/next start -p ${port}`,
    // Ready: after the server's warm-up (README "Running several instances"), so the tests do not compete with it.
    url: `http://localhost:${port}/api/health/ready`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `file:${process.env.E2E_DB}`,
      NEXT_TELEMETRY_DISABLED: "1",
      // First start creates the admin from ADMIN_PASSWORD; the tests make the other accounts (helpers.ts).
      ADMIN_PASSWORD: "e2e-admin-password",
      SESSION_SECRET: "e2e-session-secret-0123456789abcdef-0123",
      // The suite makes experiments faster than a person; the quotas themselves are tested in the API suite.
      EXPERIMENTS_PER_MINUTE: "1000",
    },
  },
});
