import type { APIRequestContext, Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const SCREENS = "test-results/screens";
mkdirSync(SCREENS, { recursive: true });

/** Full-page screenshot kept as a test artifact. */
export async function screen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

export type E2eRole = "labeler" | "researcher" | "admin";
/** The admin comes from ADMIN_PASSWORD (playwright.config.ts); the others are made on first use. */
export const ACCOUNTS: Record<E2eRole, { name: string; password: string }> = {
  admin: { name: "admin", password: "e2e-admin-password" },
  researcher: { name: "e2e-researcher", password: "e2e-researcher-pw" },
  labeler: { name: "e2e-labeler", password: "e2e-labeler-pw" },
};

/** The app's origin: API state changes must name it, as a browser's own requests do (README "Security"). */
export const ORIGIN = `http://localhost:${Number(process.env.E2E_PORT ?? 3210)}`;

export async function post(request: APIRequestContext, url: string, data: unknown) {
  return request.post(url, { data, headers: { "content-type": "application/json", origin: ORIGIN } });
}

/** Signs `request`'s context (a page's, so the page shares the cookie) in as `role`, creating the account if needed. */
export async function signInAs(request: APIRequestContext, role: E2eRole): Promise<void> {
  const { name, password } = ACCOUNTS[role];
  let res = await post(request, "/api/auth/sign-in", { name, password });
  if (res.status() === 401 && role !== "admin") {
    const a = await post(request, "/api/auth/sign-in", ACCOUNTS.admin);
    if (!a.ok()) throw new Error(`admin sign-in failed: ${a.status()}`);
    const made = await post(request, "/api/users", { name, role, password });
    if (made.status() !== 201 && made.status() !== 409) throw new Error(`creating ${name}: ${made.status()} ${await made.text()}`);
    res = await post(request, "/api/auth/sign-in", { name, password });
  }
  if (!res.ok()) throw new Error(`sign-in as ${name}: ${res.status()} ${await res.text()}`);
}

/** Marks the labelling guide as seen in this page's browser, so a test that is not about it starts labelling at once. */
export async function guideSeen(page: Page): Promise<void> {
  await page.addInitScript(() => window.localStorage.setItem("oprl.labelGuide.seen", "1"));
}
