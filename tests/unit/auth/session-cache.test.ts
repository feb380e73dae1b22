// Unsealed session cookies are kept per process (lib/server/auth/session.ts): a cookie that passed the full check is
// not decrypted again until its seal expires; anything else is always checked in full.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({ unseal: 0 }));
vi.mock("iron-session", async (importOriginal) => {
  const real = await importOriginal<typeof import("iron-session")>();
  return {
    ...real,
    unsealData: (...args: Parameters<typeof real.unsealData>) => {
      calls.unseal++;
      return real.unsealData(...args);
    },
  };
});

import { sealData } from "iron-session";
import { sealExpiresAt, sealSession, sessionSecret, unsealSession } from "@/lib/server/auth/session";

const state = globalThis as typeof globalThis & { __oprlSessionSecret?: string };
const sid = () => "s".repeat(20) + Math.random().toString(36).slice(2, 12).padEnd(23, "x");

describe("unsealSession's cache", () => {
  beforeEach(() => {
    calls.unseal = 0;
    state.__oprlSessionSecret = "session-cache-test-secret-0123456789abcdef";
  });
  afterEach(() => {
    delete state.__oprlSessionSecret;
    vi.useRealTimers();
  });

  it("decrypts a cookie once, then answers it from memory", async () => {
    const data = { sid: sid() };
    const cookie = await sealSession(data);
    expect(await unsealSession(cookie)).toEqual(data);
    expect(await unsealSession(cookie)).toEqual(data);
    expect(await unsealSession(cookie)).toEqual(data);
    expect(calls.unseal).toBe(1);
  });

  it("checks a tampered copy of a known cookie in full, and refuses it", async () => {
    const cookie = await sealSession({ sid: sid() });
    await unsealSession(cookie);
    const i = cookie.lastIndexOf("*") + 3;
    const tampered = cookie.slice(0, i) + (cookie[i] === "A" ? "B" : "A") + cookie.slice(i + 1);
    expect(await unsealSession(tampered)).toBeNull();
    expect(await unsealSession(tampered)).toBeNull();
    expect(calls.unseal).toBe(3);
  });

  it("never keeps what failed the check: a seal of something that is not a session, or no seal at all", async () => {
    const odd = await sealData({ sid: sid(), admin: true }, { password: sessionSecret() });
    expect(await unsealSession(odd)).toBeNull();
    expect(await unsealSession(odd)).toBeNull();
    expect(await unsealSession("Fe26.2*1*not-a-seal")).toBeNull();
    expect(calls.unseal).toBe(3);
  });

  it("forgets every kept cookie when the secret changes: one sealed with the old secret is refused", async () => {
    const cookie = await sealSession({ sid: sid() });
    expect(await unsealSession(cookie)).not.toBeNull();
    state.__oprlSessionSecret = "another-secret-for-the-cache-test-0123456789";
    expect(await unsealSession(cookie)).toBeNull();
  });

  it("keeps a cookie no longer than its seal: one sealed with no expiry is checked every time", async () => {
    const forever = await sealData({ sid: sid() }, { password: sessionSecret(), ttl: 0 });
    expect(sealExpiresAt(forever)).toBeNull();
    expect(await unsealSession(forever)).not.toBeNull();
    expect(await unsealSession(forever)).not.toBeNull();
    expect(calls.unseal).toBe(2);
  });

  it("a kept cookie is refused once the wall clock passes its seal's expiry (and iron's minute of skew)", async () => {
    const cookie = await sealSession({ sid: sid() }, 120);
    expect(await unsealSession(cookie)).not.toBeNull();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 10 * 60_000);
    expect(await unsealSession(cookie)).toBeNull();
  });

  it("reads the seal's expiry", async () => {
    const before = Date.now();
    const cookie = await sealSession({ sid: sid() }, 3600);
    const at = sealExpiresAt(cookie)!;
    expect(at).toBeGreaterThanOrEqual(before + 3600_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(sealExpiresAt("not a seal")).toBeNull();
  });
});
