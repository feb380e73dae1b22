// Sessions, sign-in, links and limits through the real handlers: a tampered, foreign or expired cookie is
// refused; disabling or a new password ends sessions at once; failed sign-ins are throttled; bodies are capped.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sealData } from "iron-session";
import * as me from "@/app/api/me/route";
import * as password from "@/app/api/me/password/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as invite from "@/app/api/auth/invite/route";
import * as users from "@/app/api/users/route";
import * as user from "@/app/api/users/[id]/route";
import * as reset from "@/app/api/users/[id]/reset/route";
import * as invites from "@/app/api/invites/route";
import * as experiments from "@/app/api/experiments/route";
import * as next from "@/app/api/label/next/route";
import { getDb } from "@/lib/server/db/client";
import { createSession, sealSession, SESSION_COOKIE, unsealSession } from "@/lib/server/auth/session";
import { ensureAdmin, inviteInfo } from "@/lib/server/auth/users";
import { account, body, ctx, req, resetThrottles, tableCounts, type Session } from "./helpers";

const whoami = async (cookie: string) => me.GET(req("/api/me", { as: { cookie } as Session }));
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0];
const sidOf = (cookie: string) => {
  const value = decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
  return unsealSession(value).then((s) => s!.sid);
};

describe("sessions", () => {
  let ana: Session;
  beforeAll(async () => {
    await getDb();
    ana = await account("s-ana", "labeler");
  });
  afterEach(async () => {
    vi.useRealTimers();
    await resetThrottles();
  });

  it("a good cookie names the account", async () => {
    expect((await body(await whoami(ana.cookie))).user.name).toBe("s-ana");
  });

  it("a tampered cookie is refused: every changed character, a cut seal, garbage", async () => {
    const value = ana.cookie.slice(SESSION_COOKIE.length + 1);
    for (const at of [10, Math.floor(value.length / 2), value.length - 5]) {
      const flipped = value.slice(0, at) + (value[at] === "a" ? "b" : "a") + value.slice(at + 1);
      expect((await whoami(`${SESSION_COOKIE}=${flipped}`)).status).toBe(401);
    }
    expect((await whoami(`${SESSION_COOKIE}=${value.slice(0, -20)}`)).status).toBe(401);
    expect((await whoami(`${SESSION_COOKIE}=not-a-seal`)).status).toBe(401);
    expect((await whoami(`${SESSION_COOKIE}=${"x".repeat(5000)}`)).status).toBe(401);
  });

  it("a cookie sealed with another secret is refused, and so is a well-sealed one of another shape", async () => {
    const foreign = await sealData({ sid: await sidOf(ana.cookie) }, { password: "another-secret-another-secret-0123456789" });
    expect((await whoami(`${SESSION_COOKIE}=${foreign}`)).status).toBe(401);
    const odd = await sealData({ sid: await sidOf(ana.cookie), admin: true }, { password: process.env.SESSION_SECRET! });
    expect((await whoami(`${SESSION_COOKIE}=${odd}`)).status).toBe(401);
  });

  it("an expired cookie is refused, and so is a live seal of an expired session row", async () => {
    const db = await getDb();
    const stale = await createSession(db, ana.id);
    await db.session.update({ where: { id: await sidOf(`${SESSION_COOKIE}=${stale}`) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await whoami(`${SESSION_COOKIE}=${stale}`)).status).toBe(401);
    const short = await sealSession({ sid: await sidOf(ana.cookie) }, 120);
    expect((await whoami(`${SESSION_COOKIE}=${short}`)).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 10 * 60_000);
    expect((await whoami(`${SESSION_COOKIE}=${short}`)).status).toBe(401);
  });

  it("disabling an account ends its sessions and releases its leases; a role change applies at once", async () => {
    const admin = await account("s-admin", "admin");
    const bo = await account("s-bo", "labeler");
    await experiments.GET(req("/api/experiments", { as: admin }));
    expect((await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as: bo }))).status).toBe(200);
    const db = await getDb();
    expect(await db.lease.count({ where: { userId: bo.id, labelId: null } })).toBe(1);

    expect((await experiments.GET(req("/api/experiments", { as: bo }))).status).toBe(403);
    await user.PATCH(req(`/api/users/${bo.id}`, { method: "PATCH", body: { role: "researcher" }, as: admin }), ctx(bo.id));
    expect((await experiments.GET(req("/api/experiments", { as: bo }))).status).toBe(200);

    const res = await user.PATCH(req(`/api/users/${bo.id}`, { method: "PATCH", body: { disabled: true }, as: admin }), ctx(bo.id));
    expect(res.status).toBe(200);
    expect((await whoami(bo.cookie)).status).toBe(401);
    expect(await db.lease.count({ where: { userId: bo.id, labelId: null } })).toBe(0);
    // Disabled: the right password does not sign in either, with the same answer as a wrong one.
    const denied = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-bo", password: bo.password }, as: null }));
    expect(denied.status).toBe(401);
    expect((await body(denied)).error.message).toBe("wrong user name or password");
  });

  it("the last admin cannot be demoted or disabled, nor can admins disable themselves", async () => {
    const db = await getDb();
    const admins = await db.user.findMany({ where: { role: "admin", disabled: false } });
    const only = await account("s-admin", "admin");
    for (const other of admins.filter((a) => a.id !== only.id)) await db.user.update({ where: { id: other.id }, data: { role: "researcher" } });
    const demote = await user.PATCH(req(`/api/users/${only.id}`, { method: "PATCH", body: { role: "labeler" }, as: only }), ctx(only.id));
    expect(demote.status).toBe(409);
    const self = await user.PATCH(req(`/api/users/${only.id}`, { method: "PATCH", body: { disabled: true }, as: only }), ctx(only.id));
    expect(self.status).toBe(409);
    for (const other of admins.filter((a) => a.id !== only.id)) await db.user.update({ where: { id: other.id }, data: { role: "admin" } });
  });
});

describe("sign-in, sign-out, passwords", () => {
  afterEach(async () => {
    await resetThrottles();
  });

  it("signs in with the right password: an httpOnly SameSite cookie that works; sign-out clears it", async () => {
    const cy = await account("s-cy", "researcher");
    const res = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-cy", password: cy.password }, as: null }));
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ user: { id: cy.id, name: "s-cy", role: "researcher" } });
    const header = res.headers.get("set-cookie")!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=lax/i);
    expect(header).toMatch(/Path=\//);
    expect((await whoami(cookieOf(res))).status).toBe(200);
    const out = await signOut.POST(req("/api/auth/sign-out", { method: "POST", body: {}, as: { cookie: cookieOf(res) } as Session }));
    expect(out.headers.get("set-cookie")).toMatch(/oprl_session=;.*Max-Age=0/i);
  });

  it("wrong password and unknown name get the same 401; the sixth failure for a name is a 429 with Retry-After", async () => {
    const dee = await account("s-dee", "labeler");
    const unknown = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "nobody-here", password: "x" }, as: null }));
    const wrong = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-dee", password: "wrong-one" }, as: null }));
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect((await body(unknown)).error).toEqual((await body(wrong)).error);
    for (let i = 0; i < 4; i++) await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-dee", password: "wrong-one" }, as: null }));
    const limited = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-dee", password: dee.password }, as: null }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Other accounts are not locked out by it.
    const cy = await account("s-cy", "researcher");
    expect((await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-cy", password: cy.password }, as: null }))).status).toBe(200);
  });

  it("one client trying many names is throttled too", async () => {
    const from = { "x-forwarded-for": "198.51.100.7" };
    const statuses = [];
    for (let i = 0; i < 31; i++) {
      statuses.push(
        (await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: `spray-${i}`, password: "guess" }, as: null, headers: from }))).status,
      );
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it("changing the password ends the other sessions and keeps this one", async () => {
    const eve = await account("s-eve", "labeler");
    const other = cookieOf(await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-eve", password: eve.password }, as: null })));
    const bad = await password.PUT(req("/api/me/password", { method: "PUT", body: { currentPassword: "nope-nope", newPassword: "brand-new-pass" }, as: eve }));
    expect(bad.status).toBe(422);
    const res = await password.PUT(req("/api/me/password", { method: "PUT", body: { currentPassword: eve.password, newPassword: "brand-new-pass" }, as: eve }));
    expect(res.status).toBe(200);
    expect((await whoami(other)).status).toBe(401);
    expect((await whoami(eve.cookie)).status).toBe(401);
    expect((await whoami(cookieOf(res))).status).toBe(200);
    expect((await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-eve", password: "brand-new-pass" }, as: null }))).status).toBe(200);
  });

  it("passwords: under 8 characters or over 72 bytes are refused", async () => {
    const admin = await account("s-admin", "admin");
    for (const pw of ["short", "é".repeat(37)]) {
      const res = await users.POST(req("/api/users", { method: "POST", body: { name: "s-weak", role: "labeler", password: pw }, as: admin }));
      expect(res.status).toBe(422);
    }
  });
});

describe("one-time links", () => {
  it("first start without ADMIN_PASSWORD prints a setup link that makes the admin once; with it, the admin is created", async () => {
    const db = await getDb();
    await db.user.updateMany({ where: { role: "admin" }, data: { role: "researcher" } });
    const lines: string[] = [];
    const { setupUrl } = await ensureAdmin(db, (l) => lines.push(l));
    expect(lines[0]).toContain(setupUrl!);
    const token = setupUrl!.split("/").pop()!;
    expect(await inviteInfo(db, token)).toMatchObject({ purpose: "setup", role: "admin" });
    const res = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "s-root", password: "root-pass-123" }, as: null }));
    expect(res.status).toBe(201);
    expect((await body(res)).user).toMatchObject({ name: "s-root", role: "admin" });
    expect((await body(await whoami(cookieOf(res)))).user.role).toBe("admin");
    const again = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "s-root2", password: "root-pass-123" }, as: null }));
    expect(again.status).toBe(404);
    expect(await ensureAdmin(db, () => {})).toEqual({});

    await db.user.updateMany({ where: { role: "admin" }, data: { role: "researcher" } });
    expect(await ensureAdmin(db, () => {}, { ADMIN_PASSWORD: "from-the-env-123", ADMIN_NAME: "admin" })).toEqual({ created: "admin" });
    const signed = await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "admin", password: "from-the-env-123" }, as: null }));
    expect(signed.status).toBe(200);
    await db.user.updateMany({ where: { role: "researcher", name: { in: ["s-admin", "s-root", "fixture-admin"] } }, data: { role: "admin" } });
  });

  it("an invite makes an account with its role; a reset link sets a new password and ends old sessions", async () => {
    const admin = await account("s-admin", "admin");
    const link = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "researcher" }, as: admin })))).link;
    expect(link.url).toMatch(/^http:\/\/localhost:\d+\/invite\/[\w-]{20,}$/);
    const token = link.path.split("/").pop();
    const taken = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "s-admin", password: "some-pass-123" }, as: null }));
    expect(taken.status).toBe(409);
    const made = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "s-new", password: "some-pass-123" }, as: null }));
    expect(made.status).toBe(201);
    expect((await body(made)).user).toMatchObject({ name: "s-new", role: "researcher" });

    const fay = await account("s-fay", "labeler");
    const r = (await body(await reset.POST(req(`/api/users/${fay.id}/reset`, { method: "POST", as: admin }), ctx(fay.id)))).link;
    expect(r).toMatchObject({ purpose: "reset", user: "s-fay" });
    const used = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token: r.path.split("/").pop(), password: "reset-pass-123" }, as: null }));
    expect(used.status).toBe(201);
    expect((await body(used)).user.name).toBe("s-fay");
    expect((await whoami(fay.cookie)).status).toBe(401);
    expect((await signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name: "s-fay", password: "reset-pass-123" }, as: null }))).status).toBe(200);
  });

  it("unknown, malformed and expired tokens: 404 or 422, nothing written", async () => {
    const db = await getDb();
    const admin = await account("s-admin", "admin");
    const link = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler", expiresInHours: 1 }, as: admin })))).link;
    await db.invite.update({ where: { id: link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const before = await tableCounts();
    for (const token of [link.path.split("/").pop(), "A".repeat(32)]) {
      const res = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "s-late", password: "late-pass-123" }, as: null }));
      expect(res.status).toBe(404);
    }
    expect(
      (await invite.POST(req("/api/auth/invite", { method: "POST", body: { token: "../x", name: "s-late", password: "late-pass-123" }, as: null }))).status,
    ).toBe(422);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("limits and origin", () => {
  it("a body over the limit is a 413 (with or without a Content-Length), and nothing is written", async () => {
    const admin = await account("s-admin", "admin");
    const before = await tableCounts();
    const big = JSON.stringify({ name: "x".repeat(70 * 1024), role: "labeler", password: "p" });
    const declared = await users.POST(req("/api/users", { method: "POST", raw: big, as: admin, headers: { "content-length": String(big.length) } }));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 80; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024)));
        c.close();
      },
    });
    const chunked = new Request("http://localhost:3000/api/users", {
      method: "POST",
      body: stream,
      headers: { cookie: admin.cookie, "content-type": "application/json", origin: "http://localhost:3000" },
      duplex: "half",
    } as RequestInit);
    const res = await users.POST(chunked);
    expect(res.status).toBe(413);
    expect((await body(res)).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await tableCounts()).toEqual(before);
  });

  it("a state-changing request from another site's page is refused", async () => {
    const admin = await account("s-admin", "admin");
    const before = await tableCounts();
    const res = await users.POST(
      req("/api/users", {
        method: "POST",
        body: { name: "s-csrf", role: "admin", password: "csrf-pass-123" },
        as: admin,
        headers: { origin: "http://evil.example" },
      }),
    );
    expect(res.status).toBe(403);
    expect(await tableCounts()).toEqual(before);
    const same = await users.POST(
      req("/api/users", {
        method: "POST",
        body: { name: "s-same", role: "labeler", password: "same-pass-123" },
        as: admin,
        headers: { origin: "http://localhost:3000" },
      }),
    );
    expect(same.status).toBe(201);
  });
});
