// The whole human labelling loop in Chromium: a labeller who judges by the guide's rules (the truth computed here
// from the maze) labels a human-mode round to its target with the keyboard, skipping a few pairs; the round closes
// as done, not timed out, on exactly those labels; the experiment page shows the labeller's agreement with the truth.
// Then: the choice keys still label after the scrubber is touched, and no signed-in page is wider than a phone.
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { distancesToGoal, judgeByTruth, parseLayout } from "../../lib/maze";
import { ACCOUNTS, ORIGIN, screen, signInAs } from "./helpers";

const MAZE = ["S....", ".###.", "...#.", ".#...", ".#..G"].join("\n");
const TARGET = 5;
const SKIPS = 2;
const KEY = { left: "ArrowLeft", right: "ArrowRight", equal: "ArrowDown" } as const;

async function waitForLabelling(admin: APIRequestContext, roundId: string) {
  await expect
    .poll(async () => (await (await admin.get(`/api/rounds/${roundId}`)).json()).round.phase, { timeout: 90_000, intervals: [250] })
    .toBe("labelling");
}

/** The pair on screen, or null when the empty-queue screen shows. */
async function pairOnScreen(page: Page): Promise<string | null> {
  await expect(page.getByTestId("pair").or(page.getByTestId("empty-queue"))).toBeVisible({ timeout: 20_000 });
  return page
    .getByTestId("pair")
    .getAttribute("data-pair-id", { timeout: 1000 })
    .catch(() => null);
}

test("a labeller brings a human round to its target by the guide's rules; the page shows their agreement with the truth", async ({
  page,
  playwright,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const admin = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: ORIGIN } });
  await signInAs(admin, "admin");
  const created = await admin.post("/api/experiments", {
    data: {
      name: "E2E human loop",
      preset: "default",
      seed: 4,
      maze: { kind: "text", text: MAZE },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "human",
      labelsPerPair: 1,
      episodesPerRound: 40,
      pairsPerRound: TARGET,
      pairSelection: "random",
      labelTimeLimitSec: 900,
    },
  });
  expect(created.status()).toBe(201);
  const { experiment } = await created.json();
  const { round } = await (await admin.post(`/api/experiments/${experiment.id}/rounds`, { data: {} })).json();
  await waitForLabelling(admin, round.id);
  const dist = distancesToGoal(parseLayout(MAZE));

  await signInAs(page.request, "labeler");
  // No experiment named: /label opens on the round that waits, although the demo has more open pairs.
  await page.goto("/label");
  await expect(page.getByTestId("label-guide")).toBeVisible();
  await screen(page, "label-guide");
  await page.getByTestId("guide-close").click();
  await expect(page.getByTestId("label-guide")).toBeHidden();
  await expect(page.getByTestId("round-labels")).toHaveText(`0 of ${TARGET} for round 1`);
  await expect(page.getByLabel("Experiment to label")).toHaveValue(experiment.id);
  await screen(page, "label-round-waiting");

  let skipped = 0;
  let decided = 0;
  for (let i = 0; i < 40 && decided < TARGET; i++) {
    const pairId = await pairOnScreen(page);
    if (!pairId) {
      // A skipped pair is replaced by the worker; the idle screen shows the new one by itself.
      await expect(page.getByTestId("pair")).toBeVisible({ timeout: 10_000 });
      continue;
    }
    let key: string;
    if (skipped < SKIPS) {
      key = "Space";
      skipped++;
    } else {
      const { pair } = await (await admin.get(`/api/pairs/${pairId}`)).json();
      key = KEY[judgeByTruth(dist, pair.left, pair.right)];
      // The judged pair is still the one on screen (the page must not swap it under the labeller).
      await expect(page.getByTestId("pair")).toHaveAttribute("data-pair-id", pairId);
      decided++;
    }
    if (i === SKIPS) {
      // Touch the scrubber first: the arrow keys must still label, not move the slider.
      await page.getByLabel("Scrub through the steps").click();
    }
    await page.keyboard.press(key);
    await expect(page.getByTestId("pair").or(page.getByTestId("empty-queue"))).not.toHaveAttribute("data-pair-id", pairId);
  }
  expect(decided).toBe(TARGET);
  await expect(page.getByTestId("session-count")).toHaveText(String(TARGET));

  await expect.poll(async () => (await (await admin.get(`/api/rounds/${round.id}`)).json()).round.status, { timeout: 120_000, intervals: [500] }).toBe("done");
  const done = (await (await admin.get(`/api/rounds/${round.id}`)).json()).round;
  expect(done.labels).toMatchObject({ have: TARGET, target: TARGET });
  expect(done.note ?? "").not.toMatch(/time limit/);
  expect(done.note).toMatch(/everyone skipped replaced/);
  // Trained on exactly those labels: the export holds the labeller's decided labels and skips, nothing else.
  const lines = (await (await admin.get(`/api/experiments/${experiment.id}/export`)).text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const labels = lines.flatMap((l: { labels: { choice: string; user: string | null; source: string }[] }) => l.labels);
  expect(labels.filter((l) => l.choice !== "skip").map((l) => [l.source, l.user])).toEqual(Array(TARGET).fill(["human", ACCOUNTS.labeler.name]));
  expect(labels.filter((l) => l.choice === "skip")).toHaveLength(SKIPS);

  await signInAs(page.request, "admin");
  await page.goto(`/experiments/${experiment.id}`);
  const row = page.locator(`[data-testid="labeller-row"][data-user="${ACCOUNTS.labeler.name}"]`);
  await expect(row.getByTestId("truth-agreement")).toHaveText(`100% (${TARGET} of ${TARGET})`);
  await expect(page.getByTestId("round-notes")).toContainText("everyone skipped replaced by new ones");
  await screen(page, "experiment-labeller-quality");
  await admin.dispose();
});

test("at 390 px no signed-in page is wider than the screen, and Sign out sits inside the header", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page.request, "admin");
  await page.addInitScript(() => window.localStorage.setItem("oprl.labelGuide.seen", "1"));
  for (const path of ["/", "/label?experiment=demo", "/experiments", "/experiments/demo", "/account", "/admin/users"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle").catch(() => {});
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(390);
    const header = await page.locator("header").boundingBox();
    const signOut = await page.locator("header").getByRole("button", { name: "Sign out", exact: true }).boundingBox();
    expect(signOut!.x + signOut!.width, path).toBeLessThanOrEqual(390);
    expect(signOut!.y + signOut!.height, path).toBeLessThanOrEqual(header!.y + header!.height);
  }
  await page.goto("/label?experiment=demo");
  await expect(page.getByTestId("pair")).toBeVisible();
  await screen(page, "label-phone-390-header");
});
