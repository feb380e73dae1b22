import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const SCREENS = "test-results/screens";
mkdirSync(SCREENS, { recursive: true });

/** Full-page screenshot kept as a test artifact. */
export async function screen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}
