// Switch an experiment to synthetic labelling, run a round, watch its progress reach done and the dashboards change.
import { expect, test } from "@playwright/test";
import { ORIGIN, screen, signInAs } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signInAs(page.request, "admin");
});

test("synthetic round: progress to done, dashboards update", async ({ page }) => {
  const created = await page.request.post("/api/experiments", {
    headers: { origin: ORIGIN },
    data: {
      name: "E2E synthetic round",
      preset: "default",
      seed: 3,
      maze: { kind: "random", rows: 6, cols: 6, seed: 5, wallDensity: 0.2 },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "human",
      labelsPerPair: 1,
      episodesPerRound: 300,
      pairsPerRound: 30,
      pairSelection: "random",
      labelTimeLimitSec: 600,
    },
  });
  expect(created.status()).toBe(201);
  const { experiment } = await created.json();

  await page.goto(`/experiments/${experiment.id}`);
  await expect(page.getByTestId("dashboards")).toHaveAttribute("data-rounds", "0");
  await expect(page.getByTestId("stat-eval")).toHaveText("–");
  await screen(page, "experiment-before-round");

  await page.getByRole("radio", { name: "Synthetic" }).click();
  await expect(page.getByRole("radio", { name: "Synthetic" })).toHaveAttribute("aria-checked", "true");
  await page.getByRole("button", { name: "Start round 1" }).click();

  const progress = page.getByTestId("round-progress");
  await expect(progress).toHaveAttribute("data-status", /queued|running/);
  // Live progress while it runs: episodes counted, a time estimate shown.
  await expect(page.getByTestId("episodes-done")).not.toHaveText(/^0 \//, { timeout: 30_000 });
  await screen(page, "experiment-round-running");
  await expect(progress).toHaveAttribute("data-status", "done", { timeout: 90_000 });
  await expect(page.getByTestId("episodes-done")).toHaveText("300 / 300 episodes");

  await expect(page.getByTestId("dashboards")).toHaveAttribute("data-rounds", "1");
  await expect(page.getByTestId("stat-eval")).toHaveText(/\d+%/);
  await expect(page.getByTestId("spearman")).toHaveText(/-?\d\.\d\d/);
  await expect(page.getByTestId("heatmap-learned")).toBeVisible();
  await expect(page.locator('[data-testid="chart-return"] .recharts-line')).toBeVisible();
  await expect(page.getByRole("button", { name: "Start round 2" })).toBeVisible();
  await screen(page, "experiment-after-round");
});
