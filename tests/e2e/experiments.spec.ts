// Create an experiment: a bad field shows its error, a good form creates it; then an empty queue says what to do.
import { expect, test } from "@playwright/test";
import { screen, signInAs } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signInAs(page.request, "admin");
});

test("experiment form: a bad field, then a good one", async ({ page }) => {
  await page.goto("/experiments");
  await expect(page.getByTestId("experiment-list")).toBeVisible();
  await page.getByLabel("Name").fill("E2E human maze");
  await page.getByLabel("Episodes per round").fill("3");
  await page.getByLabel("Labelling").selectOption("human");
  await page.locator('textarea[name="mazeText"]').fill("S..\n.#.\n..X");
  await page.getByRole("button", { name: "Create experiment" }).click();
  await expect(page.getByTestId("error-episodesPerRound")).toHaveText("at least 10");
  await expect(page.getByTestId("error-maze.text")).toContainText("unknown character 'X'");
  await expect(page).toHaveURL(/\/experiments$/);
  await screen(page, "experiments-form-errors");

  await page.getByLabel("Episodes per round").fill("40");
  await page.locator('textarea[name="mazeText"]').fill("S...\n.#..\n.#..\n...G");
  await expect(page.getByTestId("error-episodesPerRound")).toBeVisible();
  await page.getByRole("button", { name: "Create experiment" }).click();
  await expect(page).toHaveURL(/\/experiments\/[\w-]+$/);
  await expect(page.getByRole("heading", { name: "E2E human maze" })).toBeVisible();
  await expect(page.getByRole("radio", { name: "Human" })).toHaveAttribute("aria-checked", "true");

  // Nothing to label yet in the new experiment: the empty state says how to get pairs.
  const id = page.url().split("/").pop()!;
  await page.goto(`/label?experiment=${id}`);
  await expect(page.getByTestId("empty-queue")).toBeVisible();
  await expect(page.getByRole("link", { name: "Start a round for this experiment" })).toBeVisible();
  await screen(page, "label-empty-queue");

  await page.goto("/experiments");
  await expect(page.getByText("E2E human maze")).toBeVisible();
  await screen(page, "experiments-list");
});
