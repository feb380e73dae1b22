// A person labels three pairs of the demo experiment with the keyboard and sees the counts change.
import { expect, test } from "@playwright/test";
import { guideSeen, screen, signInAs } from "./helpers";

test.beforeEach(async ({ page }) => {
  // The demo's first round runs at the server's first start and its teacher settles that round's pairs: wait for it,
  // so the queue counts below change only by this test's labels.
  await signInAs(page.request, "admin");
  await expect
    .poll(
      async () =>
        (await (await page.request.get("/api/experiments/demo/rounds")).json()).rounds.filter(
          (r: { status: string }) => r.status === "queued" || r.status === "running",
        ).length,
      {
        timeout: 90_000,
      },
    )
    .toBe(0);
  await signInAs(page.request, "labeler");
  await guideSeen(page);
});

test("label three pairs with the keyboard", async ({ page }) => {
  await page.goto("/label?experiment=demo");
  const pair = page.getByTestId("pair");
  await expect(pair).toBeVisible();
  await expect(page.getByRole("button", { name: /Left better/ })).toBeVisible();
  await expect(page.getByTestId("session-count")).toHaveText("0");
  const waiting = Number(await page.getByTestId("queue-size").textContent());
  const total = Number(await page.getByTestId("total-count").textContent());
  expect(waiting).toBeGreaterThan(3);
  // The replay runs: the step counter moves on.
  await expect(page.getByTestId("step-counter")).not.toHaveText(/^step 0 \//);
  await screen(page, "label-1280x800");

  const keys = ["ArrowLeft", "ArrowRight", "="];
  for (const [i, key] of keys.entries()) {
    const before = await pair.getAttribute("data-pair-id");
    await page.keyboard.press(key);
    await expect(page.getByTestId("session-count")).toHaveText(String(i + 1));
    await expect(pair).not.toHaveAttribute("data-pair-id", before!);
    // The server confirmed the label and leased the next pair: its counts are authoritative again.
    await expect(page.getByTestId("total-count")).toHaveText(String(total + i + 1));
  }
  await expect(page.getByTestId("queue-size")).toHaveText(String(waiting - 3));
  await screen(page, "label-after-three");

  // Scrub and step: the counter follows.
  await page
    .getByRole("button", { name: /pause|play|replay/i })
    .first()
    .click();
  await page.getByLabel("Scrub through the steps").fill("3");
  await expect(page.getByTestId("step-counter")).toHaveText(/^step 3 \//);
});

test("the labelling screen at phone width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/label?experiment=demo");
  await expect(page.getByTestId("pair")).toBeVisible();
  await page.getByRole("button", { name: /Right better/ }).click();
  await expect(page.getByTestId("session-count")).toHaveText("1");
  for (const name of ["Left better", "Right better", "Equal", "Can't tell"]) {
    const box = await page.getByRole("button", { name: new RegExp(name) }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  }
  await screen(page, "label-phone-390");
});
