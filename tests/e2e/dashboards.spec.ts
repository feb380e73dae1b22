// The experiment page of a long run (3,000 episodes written by scripts/seed-dashboard.ts into the server's
// database): the what-next line, axis titles, the heatmap legend, sample sizes; the first screen's charts drawn
// by the server (shown without JavaScript, taken over by React without a mismatch or a jump); then the small things
// of issue 10: the 404 page, the favicon, the copy button, the invite form's field errors, the maze preview.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORIGIN, screen, signInAs } from "./helpers";
import { DEFAULT_EXPERIMENT_INPUT } from "../../lib/contracts/experiment";

function seedLongRun(rounds: number, perRound: number): string {
  const out = execFileSync(
    path.resolve("node_modules/.bin/tsx"),
    ["--conditions=react-server", "scripts/seed-dashboard.ts", String(rounds), String(perRound)],
    {
      env: { ...process.env, DATABASE_URL: `file:${process.env.E2E_DB}` },
      encoding: "utf8",
    },
  );
  return /experiment (\S+)/.exec(out)![1];
}

/** Every response the page got with status 404 (the favicon included). */
function collect404s(page: Page): string[] {
  const missing: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  return missing;
}

test("a long run's dashboards: what next, axis titles and units, one heatmap scale with its legend, n beside accuracies", async ({ page }) => {
  test.setTimeout(300_000); // seeding 3,000 episodes in a child process takes most of a minute on a busy machine
  await signInAs(page.request, "researcher");
  const id = seedLongRun(30, 100);
  const missing = collect404s(page);
  await page.goto(`/experiments/${id}`);
  await expect(page.getByTestId("what-next")).toHaveText("Done: ask an admin for another round.");
  const dash = page.getByTestId("dashboards");
  await expect(dash).toBeVisible();
  // 3,000 episodes come as 150 buckets of 20 (at most ~250 points), from the stored per-round sums.
  expect(Number(await dash.getAttribute("data-episodes"))).toBe(150);
  await expect(page.getByTestId("chart-return")).toContainText("mean of up to 20");

  const titles: [string, string[]][] = [
    ["chart-return", ["episode", "return (sum of rewards)"]],
    ["chart-success", ["episode", "success rate (%)"]],
    ["chart-reward-loss", ["update step", "loss (nats per pair)", "accuracy (%)"]],
    ["chart-policy-loss", ["episode", "policy loss"]],
    ["chart-rounds", ["round", "rate (%)", "Spearman ρ", "loss (nats per pair)"]],
    ["heatmap", ["true potential (−steps to goal)", "learned r̂(s)"]],
    ["labels", ["source", "labels"]],
    ["compare", ["episode in round", "return (moving average)"]],
  ];
  for (const [chart, want] of titles) {
    // Charts below the fold are drawn when they near the screen.
    await page.getByTestId(chart).scrollIntoViewIfNeeded();
    await expect(page.getByTestId(chart).locator(".recharts-label").first()).toBeVisible();
    const labels = await page.getByTestId(chart).locator(".recharts-label").allTextContents();
    for (const t of want) expect(labels, `${chart} axis titles`).toContain(t);
  }
  await expect(page.getByTestId("heatmap-legend")).toContainText("normalised potential");
  await expect(page.getByTestId("heatmap-legend")).toContainText("one scale for both maps");
  await expect(page.getByTestId("heatmap-truth")).toContainText("steps:");
  await expect(page.getByTestId("heatmap-learned")).toContainText("reward-model units:");
  // The seeded last round held out 4 x 30 = 120 pairs: enough to judge, so no caveat.
  await expect(page.getByTestId("stat-heldout-n")).toHaveText("(n = 120)");
  await expect(page.getByTestId("stat-heldout-caveat")).toHaveCount(0);
  await expect(page.getByTestId("stat-agreement-caveat")).toHaveText("nothing to judge yet");
  // Nothing labelled: export says why instead of downloading an empty file.
  await expect(page.getByTestId("export-disabled")).toContainText("nothing to export before the first label");
  await page.waitForLoadState("networkidle");
  expect(missing).toEqual([]);
  await screen(page, "dashboards-long-run-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await screen(page, "dashboards-long-run-390");
  // Phone width: the dashboards themselves fit (no card wider than the screen).
  const widest = await page.getByTestId("dashboards").evaluate((el) => Math.max(...[...el.children].map((c) => c.getBoundingClientRect().right)));
  expect(widest).toBeLessThanOrEqual(390);
  for (const part of ["what-next", "chart-return", "chart-rounds", "heatmap"]) {
    await page.getByTestId(part).screenshot({ path: `test-results/screens/dashboards-390-${part}.png` });
  }
});

/** The first screen's charts, drawn by the server; the others wait until they near the screen. */
const FIRST_CHARTS = ["chart-return", "chart-success"];

/** Each first-screen chart's drawing (element, path, position, text of every SVG node) and where it sits on the page. */
function firstCharts(page: Page) {
  return page.evaluate(
    (ids) =>
      ids.map((id) => {
        const svg = document.querySelector(`[data-testid="${id}"] .recharts-wrapper > svg`)!;
        const box = svg.getBoundingClientRect();
        const nodes = [...svg.querySelectorAll("*")].map((e) =>
          [e.tagName, ...["d", "x", "y", "width", "height"].map((a) => e.getAttribute(a)), e.childElementCount ? "" : e.textContent].join(" "),
        );
        return { id, top: box.top + window.scrollY, left: box.left, width: box.width, height: box.height, nodes };
      }),
    FIRST_CHARTS,
  );
}

async function researcherPage(browser: Browser, options: { javaScriptEnabled: boolean; width: number }): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled, viewport: { width: options.width, height: 800 } });
  await signInAs(context.request, "researcher");
  return context.newPage();
}

test("the first screen's charts come drawn in the server's HTML: shown without JavaScript, taken over by React with no mismatch and no jump", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // 4 rounds: round lines with their R-labels are drawn too.
  const id = seedLongRun(4, 50);

  const still = await researcherPage(browser, { javaScriptEnabled: false, width: 1280 });
  await still.goto(`/experiments/${id}`);
  for (const chart of FIRST_CHARTS) {
    await expect(still.getByTestId(chart).locator(".recharts-line-curve")).toBeVisible();
    await expect(still.getByTestId(chart).locator(".recharts-label")).toContainText(["episode"]);
    await expect(still.getByTestId(chart).getByText("R4")).toBeVisible();
  }
  await expect(still.getByTestId("chart-return").locator(".recharts-label")).toContainText(["return (sum of rewards)"]);
  await expect(still.getByTestId("chart-success").locator(".recharts-label")).toContainText(["success rate (%)"]);
  // The labellers' table above the charts is the server's too: it does not push them down when the page hydrates.
  await expect(still.getByTestId("labeller-quality")).toContainText("No one has labelled this experiment yet.");
  // Charts further down are drawn in the browser as they near the screen.
  await expect(still.getByTestId("chart-reward-loss").locator("svg")).toHaveCount(0);
  const server = await firstCharts(still);
  await screen(still, "dashboards-without-javascript-1280");
  await still.context().close();

  const live = await researcherPage(browser, { javaScriptEnabled: true, width: 1280 });
  const errors: string[] = [];
  live.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  live.on("pageerror", (e) => errors.push(e.message));
  await live.goto(`/experiments/${id}`);
  // Hydrated: the chart answers the pointer with its tooltip.
  const plot = live.getByTestId("chart-return").locator(".recharts-wrapper > svg");
  await expect(async () => {
    const box = (await plot.boundingBox())!;
    await live.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(live.getByTestId("chart-return").locator(".recharts-tooltip-wrapper")).toContainText("moving average", { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  // Away again: the hover's cursor line and active dot leave the drawing.
  await live.mouse.move(0, 0);
  await expect(live.locator(".recharts-tooltip-cursor, .recharts-active-dot")).toHaveCount(0);
  await live.waitForLoadState("networkidle");
  // The HTML carried the first screen only; the page's first poll brought the rest (the per-round history).
  await expect(live.getByTestId("dashboards")).toHaveAttribute("data-complete", "true");
  await expect(live.getByTestId("dashboards")).toHaveAttribute("data-rounds", "4");
  const browserDrawn = await firstCharts(live);
  for (const [i, chart] of browserDrawn.entries()) {
    // At this width the server's guess is the card's width: the drawing React owns is the server's, node for node,
    // in the same place (a few px allowed for rounding).
    expect(chart.nodes, `${chart.id} drawn by the server as by the browser`).toEqual(server[i].nodes);
    for (const k of ["top", "left", "width", "height"] as const) expect(Math.abs(chart[k] - server[i][k]), `${chart.id} ${k}`).toBeLessThanOrEqual(3);
  }
  expect(errors, "no hydration (or other) error in the console").toEqual([]);
  await live.context().close();

  // A phone without JavaScript: the server's drawing shrinks into the card instead of widening the page.
  const phone = await researcherPage(browser, { javaScriptEnabled: false, width: 390 });
  await phone.goto(`/experiments/${id}`);
  for (const chart of await firstCharts(phone)) expect(chart.left + chart.width, `${chart.id} fits the phone`).toBeLessThanOrEqual(390);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await phone.getByTestId("chart-return").screenshot({ path: "test-results/screens/dashboards-without-javascript-390-chart-return.png" });
  await phone.context().close();
});

test("a new experiment: the what-next line says to start round 1; few held-out labels carry a caveat", async ({ page }) => {
  await signInAs(page.request, "admin");
  const id = seedLongRun(1, 20);
  await page.goto(`/experiments/${id}`);
  // One round of 20 episodes, 4 held-out pairs: shown with its n and "too few to judge".
  await expect(page.getByTestId("stat-heldout-n")).toHaveText("(n = 4)");
  await expect(page.getByTestId("stat-heldout-caveat")).toHaveText("too few to judge");
  await expect(page.getByTestId("what-next")).toHaveText("Done: start another round.");

  const made = await page.request.post("/api/experiments", {
    data: { ...DEFAULT_EXPERIMENT_INPUT, name: "E2E what next", maze: { kind: "text", text: "S..\n.#.\n..G" }, labellingMode: "human" },
    headers: { origin: ORIGIN },
  });
  expect(made.status()).toBe(201);
  const fresh = (await made.json()).experiment.id;
  await page.goto(`/experiments/${fresh}`);
  await expect(page.getByTestId("what-next")).toHaveText("Next: start round 1 to collect the first episodes.");
});

test("unknown pages get the app's 404 page; the favicon is served", async ({ page }) => {
  await signInAs(page.request, "labeler");
  const missing = collect404s(page);
  await page.goto("/label");
  await page.waitForLoadState("networkidle");
  expect(missing).toEqual([]);
  expect(await page.locator('link[rel="icon"]').count()).toBeGreaterThan(0);
  for (const icon of ["/favicon.ico", "/icon.svg"]) {
    const res = await page.request.get(icon);
    expect(res.status(), icon).toBe(200);
    expect(res.headers()["content-type"], icon).toMatch(/^image\//);
  }

  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("Nothing here");
  await expect(page.getByRole("link", { name: "Go to labelling" })).toBeVisible();
  await expect(page.getByTestId("user-menu")).toBeVisible(); // the app's header, not Next's bare page
  await screen(page, "not-found");
});

test("copy link: 'Copied' only when the clipboard took it; invite form: a wrong field is shown beside it", async ({ page, browser }) => {
  await signInAs(page.request, "admin");
  await page.goto("/admin/users");
  await page.getByLabel("Role for the invite").selectOption("labeler");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const url = await page.getByTestId("new-link-url").inputValue();
  // No clipboard permission here: the copy fails, the button does not claim it worked, the link is selected.
  await page.evaluate(() =>
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: () => Promise.reject(new Error("denied")) } }),
  );
  await page.getByTestId("copy-link").click();
  await expect(page.getByTestId("copy-failed")).toContainText("copy it by hand");
  await expect(page.getByTestId("copy-link")).toHaveText("Copy");
  expect(await page.evaluate(() => window.getSelection()?.toString() || (document.activeElement as HTMLInputElement | null)?.value)).toBe(url);
  await page.evaluate(() => Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: () => Promise.resolve() } }));
  await page.getByTestId("copy-link").click();
  await expect(page.getByTestId("copy-link")).toHaveText("Copied");
  await expect(page.getByTestId("copy-failed")).toHaveCount(0);

  const them = await (await browser.newContext()).newPage();
  await them.goto(url);
  await them.getByLabel("User name").fill("x");
  await them.locator('input[name="password"]').fill("invited-password");
  await them.locator('input[name="repeat"]').fill("invited-password");
  await them.getByRole("button", { name: "Create account" }).click();
  await expect(them.getByTestId("error-name")).toHaveText("2-40 letters, digits or _ . @ -");
  await expect(them.getByTestId("invite-error")).toHaveCount(0);
  await expect(them.getByText("invalid invite")).toHaveCount(0);
  await screen(them, "invite-field-error");
  await them.getByLabel("User name").fill("e2e-invited-2");
  await them.getByRole("button", { name: "Create account" }).click();
  await expect(them.getByTestId("user-menu")).toContainText("e2e-invited-2");
  await them.context().close();
});

test("the experiment form draws the maze it will train on", async ({ page }) => {
  await signInAs(page.request, "researcher");
  await page.goto("/experiments");
  const preview = page.getByTestId("maze-preview");
  // Typing before React has hydrated the form is lost (or mixed with the default text): fill until the preview follows.
  await expect(async () => {
    await page.locator('textarea[name="mazeText"]').fill("S...\n.#..\n.#..\n...G");
    await expect(preview.getByRole("img", { name: "Maze preview" })).toBeVisible({ timeout: 1000 });
    // 16 cells drawn (cells have the grid's stroke; markers and hover targets do not); no text layout repeated.
    await expect(preview.locator('rect[stroke="#e2e8f0"]')).toHaveCount(16, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(preview.locator('rect[fill="#334155"]')).toHaveCount(2);
  await expect(preview.locator("pre")).toHaveCount(0);
  await page.locator('textarea[name="mazeText"]').fill("S..\n.#.\n..X");
  await expect(preview).toContainText("not a valid maze yet");
});
