// The accounts command line against a real SQLite file: links printed, roles changed, usage errors exit 2.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");
const db = `file:${path.join(mkdtempSync(path.join(tmpdir(), "oprl-users-cli-")), "users.db")}`;
const env = { ...process.env, DATABASE_URL: db, APP_URL: "https://labels.example.org", PASSWORD_HASH_COST: "4" };

const users = (...args: string[]) => run(tsx, ["--conditions=react-server", "lib/cli/users.ts", ...args], { env });

async function fails(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await users(...args);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error("expected a failure");
}

describe("users CLI", () => {
  it("prints an invite link on APP_URL, resets a password, changes a role", async () => {
    const invite = await users("invite", "--role", "researcher", "--hours", "2");
    expect(invite.stdout).toMatch(/invite link for a new researcher[^\n]*\nhttps:\/\/labels\.example\.org\/invite\/[\w-]{20,}\n$/);

    const { openDb } = await import("@/lib/server/db/client");
    const client = await openDb(db);
    await client.user.create({ data: { name: "lost-admin", role: "labeler", disabled: true } });
    await client.$disconnect();

    const reset = await users("reset", "lost-admin");
    expect(reset.stdout).toMatch(/password link for lost-admin[^\n]*\nhttps:\/\/labels\.example\.org\/invite\/[\w-]{20,}\n$/);
    expect((await users("role", "lost-admin", "admin")).stdout).toBe("lost-admin is now admin\n");
    expect((await users("list")).stdout).toMatch(/^lost-admin\s+admin\s+no password/m);
  }, 60_000);

  it("without APP_URL the link uses PORT and a note on stderr says which address it assumes", async () => {
    const { APP_URL: _unset, ...rest } = env;
    const out = await run(tsx, ["--conditions=react-server", "lib/cli/users.ts", "invite"], { env: { ...rest, PORT: "4123" } });
    expect(out.stdout).toMatch(/\nhttp:\/\/localhost:4123\/invite\/[\w-]{20,}\n$/);
    expect(out.stderr).toContain("APP_URL is not set, so the link assumes the app at http://localhost:4123 (PORT)");
    const withUrl = await users("invite");
    expect(withUrl.stderr).not.toContain("APP_URL");
  }, 60_000);

  it("usage errors exit with code 2 and say what is wrong", async () => {
    expect(await fails("invite", "--role", "boss")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--role: role must be one of labeler, researcher, admin"),
    });
    expect(await fails("reset", "nobody")).toMatchObject({ code: 2, stderr: expect.stringContaining("no account named nobody") });
    expect(await fails("frobnicate")).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command frobnicate") });
  }, 60_000);
});
