// Signing in, roles on pages, and the admin's user management, in the browser.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ACCOUNTS, post, screen, signInAs, type E2eRole } from "./helpers";

test("signed out: pages send you to sign in; a wrong password says so; the right one brings you back", async ({ page }) => {
  await page.goto("/label?experiment=demo");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Flabel%3Fexperiment%3Ddemo$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await screen(page, "sign-in");

  await signInAs(page.request, "labeler"); // makes the account
  expect((await post(page.request, "/api/auth/sign-out", {})).status()).toBe(200);
  await page.getByLabel("User name").fill(ACCOUNTS.labeler.name);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("wrong user name or password");
  await screen(page, "sign-in-error");

  await page.getByLabel("Password").fill(ACCOUNTS.labeler.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/label\?experiment=demo$/);
  await expect(page.getByTestId("pair")).toBeVisible();
  await expect(page.getByTestId("user-menu")).toContainText(ACCOUNTS.labeler.name);
  // A labeler sees no Experiments link, and the page itself answers 403.
  await expect(page.getByRole("link", { name: "Experiments" })).toHaveCount(0);
  const res = await page.goto("/experiments");
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toBeVisible();
  await screen(page, "forbidden-labeler");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await page.request.get("/api/me")).status()).toBe(401);
});

const PAGES = ["/", "/sign-in", "/label", "/account", "/experiments", "/experiments/demo", "/admin/users"] as const;
const LEAST: Record<(typeof PAGES)[number], E2eRole | "public"> = {
  "/": "public",
  "/sign-in": "public",
  "/label": "labeler",
  "/account": "labeler",
  "/experiments": "researcher",
  "/experiments/demo": "researcher",
  "/admin/users": "admin",
};
const RANK = { labeler: 0, researcher: 1, admin: 2 };

async function status(request: APIRequestContext, path: string): Promise<{ status: number; location: string | null }> {
  const res = await request.get(path, { maxRedirects: 0 });
  return { status: res.status(), location: res.headers()["location"] ?? null };
}

test("every page for every role: allowed 200, signed out a redirect to sign-in, role too low 403", async ({ browser }) => {
  for (const role of ["anon", "labeler", "researcher", "admin"] as const) {
    const context = await browser.newContext();
    if (role !== "anon") await signInAs(context.request, role);
    for (const path of PAGES) {
      const need = LEAST[path];
      const got = await status(context.request, path);
      if (path === "/sign-in" && role !== "anon") {
        expect(got.status, `${role} ${path}`).toBe(307);
        expect(got.location).toMatch(/\/label$/);
      } else if (need === "public" || (role !== "anon" && RANK[role] >= RANK[need])) {
        expect(got.status, `${role} ${path}`).toBe(200);
      } else if (role === "anon") {
        expect(got.status, `${role} ${path}`).toBe(307);
        expect(got.location).toContain(`/sign-in?next=${encodeURIComponent(path)}`);
      } else {
        expect(got.status, `${role} ${path}`).toBe(403);
      }
    }
    await context.close();
  }
});

test("admin: invite a labeller by link, change a role, disable an account", async ({ page, browser }) => {
  await signInAs(page.request, "admin");
  await page.goto("/admin/users");
  await expect(page.getByTestId("users-page")).toBeVisible();
  await page.getByLabel("Role for the invite").selectOption("labeler");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const url = await page.getByTestId("new-link-url").inputValue();
  expect(url).toMatch(/\/invite\/[\w-]{20,}$/);
  await screen(page, "users-invite-link");

  // The invited person, in their own browser.
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await them.goto(new URL(url).pathname);
  await expect(them.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await them.getByLabel("User name").fill("e2e-invited");
  await them.locator('input[name="password"]').fill("invited-password");
  await them.locator('input[name="repeat"]').fill("invited-password");
  await screen(them, "invite-accept");
  await them.getByRole("button", { name: "Create account" }).click();
  await expect(them).toHaveURL(/\/label$/);
  await expect(them.getByTestId("user-menu")).toContainText("e2e-invited");
  // The link worked once.
  await them.goto(new URL(url).pathname);
  await expect(them.getByTestId("invite-invalid")).toBeVisible();

  await page.reload();
  const row = page.getByTestId("user-e2e-invited");
  await expect(row).toContainText("labeler");
  await row.getByLabel("Role of e2e-invited").selectOption("researcher");
  await expect(row.getByLabel("Role of e2e-invited")).toHaveValue("researcher");
  expect((await them.request.get("/api/experiments")).status()).toBe(200);
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  expect((await them.request.get("/api/me")).status()).toBe(401);
  await screen(page, "users");
  await theirs.close();
});
