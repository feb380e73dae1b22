// The route wrapper itself: the answer is checked against its contract outside production (a mismatch is a
// 500 that fails the calling test, and is logged), and not in production; public routes refuse cross-site writes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { route } from "@/lib/server/http/route";
import { okSchema } from "@/lib/contracts/auth";
import { body, req } from "./helpers";

const liar = route({ role: "public", response: okSchema }, async () => ({ ok: "yes" }) as unknown as { ok: boolean });
const echo = route(
  { role: "public", body: z.object({ n: z.number() }), query: z.object({ q: z.enum(["a"]).optional() }), response: z.object({ n: z.number() }) },
  async ({ body: b }) => b,
);

describe("route()", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("a response that breaks its contract is a 500 in tests and development, and goes out in production", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await liar(req("/x", { method: "POST", body: {}, as: null }));
    expect(res.status).toBe(500);
    expect(String(logged.mock.calls[0]?.[1])).toMatch(/breaks its contract: ok:/);
    logged.mockRestore();
    vi.stubEnv("NODE_ENV", "production");
    expect((await liar(req("/x", { method: "POST", body: {}, as: null }))).status).toBe(200);
  });

  it("one status per error code: bad body or query 422 VALIDATION with fields, malformed JSON 400, cross-site 403", async () => {
    const badBody = await echo(req("/x", { method: "POST", body: { n: "1" }, as: null }));
    expect(badBody.status).toBe(422);
    expect((await body(badBody)).error).toMatchObject({ code: "VALIDATION", details: { fields: [{ path: "n" }] } });
    const badQuery = await echo(req("/x?q=b", { method: "POST", body: { n: 1 }, as: null }));
    expect(badQuery.status).toBe(422);
    expect((await body(badQuery)).error).toMatchObject({ code: "VALIDATION", message: "invalid query parameters", details: { fields: [{ path: "q" }] } });
    const malformed = await echo(req("/x", { method: "POST", raw: "{", as: null }));
    expect(malformed.status).toBe(400);
    expect((await body(malformed)).error.code).toBe("MALFORMED_JSON");
    const crossSite = await echo(req("/x", { method: "POST", body: { n: 1 }, as: null, headers: { origin: "http://evil.example" } }));
    expect(crossSite.status).toBe(403);
  });
});
