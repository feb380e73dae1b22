// Issue 11, accounts half, through the real handlers (each test here failed on the code before it):
// sign-out revokes, throttles that slow a guesser without locking the owner out, names case-insensitive,
// invite tokens checked before any hashing, a cap on hashing, links that die with their maker's rights,
// throttled current-password guesses.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import bcrypt from "bcryptjs";
import * as me from "@/app/api/me/route";
import * as password from "@/app/api/me/password/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as invite from "@/app/api/auth/invite/route";
import * as users from "@/app/api/users/route";
import * as user from "@/app/api/users/[id]/route";
import * as reset from "@/app/api/users/[id]/reset/route";
import * as invites from "@/app/api/invites/route";
import { getDb } from "@/lib/server/db/client";
import { PasswordPool, passwordWork } from "@/lib/server/auth/password";
import { createInvite } from "@/lib/server/auth/users";
import { account, body, ctx, req, resetThrottles, tableCounts, type Session } from "./helpers";

const whoami = async (cookie: string) => me.GET(req("/api/me", { as: { cookie } as Session }));
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0];
const from = (address: string) => ({ "x-forwarded-for": address });
const signInAs = (name: string, pw: string, address = "192.0.2.1") =>
  signIn.POST(req("/api/auth/sign-in", { method: "POST", body: { name, password: pw }, as: null, headers: from(address) }));

beforeAll(async () => {
  await getDb();
});
afterEach(async () => {
  vi.useRealTimers();
  await resetThrottles();
});

describe("sessions end on the server", () => {
  it("after sign-out the old cookie, replayed, is refused", async () => {
    const ann = await account("x-ann");
    const cookie = cookieOf(await signInAs("x-ann", ann.password));
    expect((await whoami(cookie)).status).toBe(200);
    const out = await signOut.POST(req("/api/auth/sign-out", { method: "POST", body: {}, as: { cookie } as Session }));
    expect(out.status).toBe(200);
    expect((await whoami(cookie)).status).toBe(401);
    // Other sessions of the account go on.
    expect((await whoami(ann.cookie)).status).toBe(200);
  });

  it("sign out everywhere ends every session of the account and only those", async () => {
    const ben = await account("x-ben");
    const other = await account("x-other");
    const a = cookieOf(await signInAs("x-ben", ben.password));
    const b = cookieOf(await signInAs("x-ben", ben.password, "192.0.2.2"));
    await signOut.POST(req("/api/auth/sign-out", { method: "POST", body: { everywhere: true }, as: { cookie: a } as Session }));
    for (const c of [a, b, ben.cookie]) expect((await whoami(c)).status).toBe(401);
    expect((await whoami(other.cookie)).status).toBe(200);
    expect(await (await getDb()).session.count({ where: { userId: ben.id } })).toBe(0);
  });
});

describe("sign-in throttles", () => {
  it("five wrong passwords from one address slow that address; the owner's right password from another gets in", async () => {
    const cat = await account("x-cat");
    for (let i = 0; i < 5; i++) expect((await signInAs("x-cat", "wrong-guess", "203.0.113.66")).status).toBe(401);
    const compares = passwordWork.compare;
    const blocked = await signInAs("x-cat", cat.password, "203.0.113.66");
    expect(blocked.status).toBe(429);
    // Refused before any hashing.
    expect(passwordWork.compare).toBe(compares);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The owner, elsewhere: not locked out, under any spelling of the name.
    expect((await signInAs("x-cat", cat.password, "198.51.100.20")).status).toBe(200);
    expect((await signInAs("X-CAT", cat.password, "198.51.100.21")).status).toBe(200);
    expect((await signInAs("  x-Cat ", cat.password, "198.51.100.22")).status).toBe(200);
  });

  it("a success clears the account + address count", async () => {
    const col = await account("x-col");
    for (let i = 0; i < 4; i++) await signInAs("x-col", "wrong-guess", "203.0.113.67");
    expect((await signInAs("x-col", col.password, "203.0.113.67")).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await signInAs("x-col", "wrong-guess", "203.0.113.67")).status).toBe(401);
    expect((await signInAs("x-col", col.password, "203.0.113.67")).status).toBe(200);
  });

  it("the wait doubles from 1 s with each failure after the fifth and ends by itself", async () => {
    const db = await getDb();
    await account("x-dan");
    const key = "signin:x-dan|203.0.113.70";
    const waitOf = async () => {
      const row = await db.authThrottle.findUniqueOrThrow({ where: { key } });
      return row.blockedUntil!.getTime() - row.lastFailureAt.getTime();
    };
    for (let i = 0; i < 5; i++) await signInAs("X-DAN", "wrong-guess", "203.0.113.70");
    expect(await waitOf()).toBe(1000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 1500);
    expect((await signInAs("x-dan", "wrong-guess", "203.0.113.70")).status).toBe(401);
    expect(await waitOf()).toBe(2000);
    expect((await signInAs("x-dan", "wrong-guess", "203.0.113.70")).status).toBe(429);
    vi.setSystemTime(Date.now() + 2500);
    expect((await signInAs("x-dan", "wrong-guess", "203.0.113.70")).status).toBe(401);
    expect(await waitOf()).toBe(4000);
  });

  it("a forged X-Forwarded-For does not escape: only the last entry (the peer, with TRUST_PROXY=0) is the client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await signInAs(`spray-${i}`, "guess", `10.9.${i}.1, 203.0.113.80`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it("unknown names cost a comparison like known ones, through the pool", async () => {
    await account("x-eve");
    const before = passwordWork.compare;
    await signInAs("nobody-at-all", "wrong-guess", "203.0.113.90");
    await signInAs("x-eve", "wrong-guess", "203.0.113.90");
    expect(passwordWork.compare - before).toBe(2);
  });

  it("a full hash queue answers 429 at once instead of piling up work", async () => {
    const state = globalThis as typeof globalThis & { __oprlPasswordPool?: PasswordPool };
    const saved = state.__oprlPasswordPool;
    state.__oprlPasswordPool = new PasswordPool(1, 1);
    try {
      // A costly stored hash, so the first comparisons are still running when the last requests arrive.
      const fin = await account("x-fin");
      await (await getDb()).user.update({ where: { id: fin.id }, data: { passwordHash: bcrypt.hashSync(fin.password, 11) } });
      const all = await Promise.all(Array.from({ length: 6 }, (_, i) => signInAs("x-fin", "wrong-guess", `203.0.113.${100 + i}`)));
      const statuses = all.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(2);
      expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    } finally {
      await state.__oprlPasswordPool.close();
      state.__oprlPasswordPool = saved;
    }
  });
});

describe("names are case-insensitive and trimmed everywhere", () => {
  it("a name differing only in case or spaces is the same account: taken on create, stored lower case", async () => {
    const admin = await account("x-admin", "admin");
    const made = await users.POST(req("/api/users", { method: "POST", body: { name: " Lab1 ", role: "labeler", password: "lab1-pass-123" }, as: admin }));
    expect(made.status).toBe(201);
    expect((await body(made)).user.name).toBe("lab1");
    for (const name of ["LAB1", "lab1", " lab1"]) {
      const dup = await users.POST(req("/api/users", { method: "POST", body: { name, role: "admin", password: "lab1-pass-123" }, as: admin }));
      expect(dup.status).toBe(409);
    }
    expect((await signInAs("LAB1", "lab1-pass-123")).status).toBe(200);
  });

  it("an invite makes a lower-case name, and a case variant of a taken one is refused", async () => {
    const admin = await account("x-admin", "admin");
    const token = async () =>
      (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler" }, as: admin })))).link.path.split("/").pop();
    const taken = await invite.POST(
      req("/api/auth/invite", { method: "POST", body: { token: await token(), name: "X-ADMIN", password: "some-pass-123" }, as: null }),
    );
    expect(taken.status).toBe(409);
    const made = await invite.POST(
      req("/api/auth/invite", { method: "POST", body: { token: await token(), name: "NewPerson", password: "some-pass-123" }, as: null }),
    );
    expect((await body(made)).user.name).toBe("newperson");
  });
});

describe("invite links", () => {
  it("a wrong, used or expired token is refused before any hashing", async () => {
    const admin = await account("x-admin", "admin");
    const link = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler" }, as: admin })))).link;
    const used = link.path.split("/").pop();
    await invite.POST(req("/api/auth/invite", { method: "POST", body: { token: used, name: "x-first", password: "first-pass-123" }, as: null }));
    const hashes = passwordWork.hash;
    for (const token of ["B".repeat(32), used]) {
      const res = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name: "x-late", password: "late-pass-123" }, as: null }));
      expect(res.status).toBe(404);
    }
    expect(passwordWork.hash).toBe(hashes);
  });

  it("an address trying dead links waits like a guesser (30 free, then 429); a live link from another address still works", async () => {
    const admin = await account("x-admin", "admin");
    const live = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler" }, as: admin })))).link.path.split("/").pop();
    const tryToken = (token: string, address: string, name = "x-dead") =>
      invite.POST(req("/api/auth/invite", { method: "POST", body: { token, name, password: "dead-pass-123" }, as: null, headers: from(address) }));
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await tryToken(`${"D".repeat(30)}${String(i).padStart(2, "0")}`, "203.0.113.150")).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(404));
    const refused = await tryToken("E".repeat(32), "203.0.113.150");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    // Even a live link waits from that address; from another it works.
    expect((await tryToken(live, "203.0.113.150", "x-live")).status).toBe(429);
    expect((await tryToken(live, "203.0.113.151", "x-live")).status).toBe(201);
  });

  it("an admin's invite and reset links stop working when the admin is disabled, and are revoked", async () => {
    const root = await account("x-admin", "admin");
    const maker = await account("x-maker", "admin");
    const target = await account("x-target");
    const inv = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "admin" }, as: maker })))).link;
    const rst = (await body(await reset.POST(req(`/api/users/${target.id}/reset`, { method: "POST", as: maker }), ctx(target.id)))).link;
    expect((await user.PATCH(req(`/api/users/${maker.id}`, { method: "PATCH", body: { disabled: true }, as: root }), ctx(maker.id))).status).toBe(200);
    const db = await getDb();
    expect(await db.invite.count({ where: { createdById: maker.id, usedAt: null } })).toBe(0);
    const before = await tableCounts();
    const a = await invite.POST(
      req("/api/auth/invite", { method: "POST", body: { token: inv.path.split("/").pop(), name: "x-evil", password: "evil-pass-123" }, as: null }),
    );
    const b = await invite.POST(req("/api/auth/invite", { method: "POST", body: { token: rst.path.split("/").pop(), password: "taken-over-123" }, as: null }));
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(await tableCounts()).toEqual(before);
    expect((await signInAs("x-target", target.password)).status).toBe(200);
  });

  it("a link made before its maker was demoted is refused at use time, even if the revocation was missed", async () => {
    const maker = await account("x-maker2", "admin");
    const inv = (await body(await invites.POST(req("/api/invites", { method: "POST", body: { role: "admin" }, as: maker })))).link;
    const db = await getDb();
    // Demoted behind the API's back (the CLI's `users role`, a direct edit): the use-time check still holds.
    await db.user.update({ where: { id: maker.id }, data: { role: "researcher" } });
    const res = await invite.POST(
      req("/api/auth/invite", { method: "POST", body: { token: inv.path.split("/").pop(), name: "x-evil2", password: "evil-pass-123" }, as: null }),
    );
    expect(res.status).toBe(404);
    expect(await db.invite.count({ where: { id: inv.id } })).toBe(0);
    expect(await db.user.count({ where: { name: "x-evil2" } })).toBe(0);
  });

  it("a link made from the command line has no maker and stays valid", async () => {
    const db = await getDb();
    const link = await createInvite(db, null, { role: "labeler", expiresInHours: 1 });
    const res = await invite.POST(
      req("/api/auth/invite", { method: "POST", body: { token: link.path.split("/").pop(), name: "x-cli", password: "cli-pass-123" }, as: null }),
    );
    expect(res.status).toBe(201);
  });

  it("demoting an admin through the API revokes its outstanding links; other admins' links stay", async () => {
    const root = await account("x-admin", "admin");
    const maker = await account("x-maker3", "admin");
    await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler" }, as: maker }));
    await invites.POST(req("/api/invites", { method: "POST", body: { role: "labeler" }, as: root }));
    const db = await getDb();
    const rootLinks = await db.invite.count({ where: { createdById: root.id, usedAt: null } });
    await user.PATCH(req(`/api/users/${maker.id}`, { method: "PATCH", body: { role: "researcher" }, as: root }), ctx(maker.id));
    expect(await db.invite.count({ where: { createdById: maker.id, usedAt: null } })).toBe(0);
    expect(await db.invite.count({ where: { createdById: root.id, usedAt: null } })).toBe(rootLinks);
  });
});

describe("PUT /api/me/password", () => {
  it("wrong current passwords are throttled per account: after five, even the right one waits", async () => {
    const gus = await account("x-gus");
    for (let i = 0; i < 5; i++) {
      const res = await password.PUT(
        req("/api/me/password", { method: "PUT", body: { currentPassword: `nope-${i}-nope`, newPassword: "brand-new-pass" }, as: gus }),
      );
      expect(res.status).toBe(422);
    }
    const limited = await password.PUT(
      req("/api/me/password", { method: "PUT", body: { currentPassword: gus.password, newPassword: "brand-new-pass" }, as: gus }),
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 1500);
    const ok = await password.PUT(req("/api/me/password", { method: "PUT", body: { currentPassword: gus.password, newPassword: "brand-new-pass" }, as: gus }));
    expect(ok.status).toBe(200);
  });
});
