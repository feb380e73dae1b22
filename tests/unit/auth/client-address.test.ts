// Pure pieces of the accounts fixes: which X-Forwarded-For entry is the client, which `next` targets are allowed,
// and the throttle's backoff schedule.
import { describe, expect, it } from "vitest";
import { clientAddressFrom } from "@/lib/server/auth/client-address";
import { ACCOUNT_POLICY, ADDRESS_POLICY, backoffMs } from "@/lib/server/auth/throttle";
import { parseConfig } from "@/lib/config";
import { safeNext } from "@/lib/contracts/auth";

describe("client address", () => {
  // The web server appends the TCP peer, so the last entry is always the peer.
  it("with no trusted proxy the client is the peer, whatever X-Forwarded-For the client sent", () => {
    expect(clientAddressFrom("203.0.113.9", 0)).toBe("203.0.113.9");
    expect(clientAddressFrom("1.2.3.4, 5.6.7.8, 203.0.113.9", 0)).toBe("203.0.113.9");
    expect(clientAddressFrom("::ffff:127.0.0.1", 0)).toBe("127.0.0.1");
  });

  it("with N trusted proxies it is the entry the nearest proxy wrote, N places left of the peer", () => {
    // client forged "6.6.6.6", the proxy appended the real client 198.51.100.4, we appended the proxy 10.0.0.2.
    expect(clientAddressFrom("6.6.6.6, 198.51.100.4, 10.0.0.2", 1)).toBe("198.51.100.4");
    expect(clientAddressFrom("6.6.6.6, 198.51.100.4, 10.0.0.3, 10.0.0.2", 2)).toBe("198.51.100.4");
    // A chain shorter than configured: its far end.
    expect(clientAddressFrom("10.0.0.2", 3)).toBe("10.0.0.2");
  });

  it("missing or empty: one 'unknown' key; long junk is cut to a bounded key", () => {
    expect(clientAddressFrom(null, 0)).toBe("unknown");
    expect(clientAddressFrom(" , ", 0)).toBe("unknown");
    expect(clientAddressFrom("x".repeat(500), 0)).toHaveLength(64);
  });

  it("TRUST_PROXY: default 0, a count of proxies, refused when not one", () => {
    expect(parseConfig({}).TRUST_PROXY).toBe(0);
    expect(parseConfig({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(() => parseConfig({ TRUST_PROXY: "yes" })).toThrow(/TRUST_PROXY/);
    expect(() => parseConfig({ TRUST_PROXY: "-1" })).toThrow(/TRUST_PROXY/);
  });
});

describe("safeNext", () => {
  it("keeps paths of this site, normalised", () => {
    expect(safeNext("/label")).toBe("/label");
    expect(safeNext("/experiments/abc?tab=2#x")).toBe("/experiments/abc?tab=2#x");
    expect(safeNext("/a/../b")).toBe("/b");
  });

  it("refuses every way out to another host, and control characters, with the fallback", () => {
    for (const bad of [
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/%0A",
      "/x\r\nSet-Cookie: a=b",
      "https://evil.example/",
      "evil.example",
      "/a/..//evil.example",
      "/\\/evil.example",
      "\u0000/x",
      "",
      42,
      undefined,
      "/" + "a".repeat(3000),
    ]) {
      const out = safeNext(bad, "/fallback");
      expect(out === "/fallback" || out === "/%0A", `${JSON.stringify(bad)} -> ${out}`).toBe(true);
      expect(new URL(out, "http://app.test").origin).toBe("http://app.test");
    }
    expect(safeNext("/\t/evil.example", "/label")).toBe("/label");
  });
});

describe("backoff", () => {
  it("free attempts, then 1 s doubling up to 15 min", () => {
    expect([0, 4].map((n) => backoffMs(n, ACCOUNT_POLICY))).toEqual([0, 0]);
    expect([5, 6, 7, 10].map((n) => backoffMs(n, ACCOUNT_POLICY))).toEqual([1000, 2000, 4000, 32000]);
    expect(backoffMs(20, ACCOUNT_POLICY)).toBe(15 * 60_000);
    expect(backoffMs(1e6, ACCOUNT_POLICY)).toBe(15 * 60_000);
    expect(backoffMs(29, ADDRESS_POLICY)).toBe(0);
    expect(backoffMs(30, ADDRESS_POLICY)).toBe(1000);
  });
});
