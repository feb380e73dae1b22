// Property tests of every API input (fast-check): whatever the body, id or query, a handler never answers 500,
// and a refused request (4xx) writes nothing. Each route is called with a good request taken apart: values
// replaced by arbitrary JSON, keys dropped or added, raw text bodies, arbitrary ids and query parameters.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { getDb } from "@/lib/server/db/client";
import { account, ctx, req, resetThrottles, tableCounts, type Session } from "./helpers";
import { makeFixtures, routeCases, type Call, type Fixtures } from "./routes";

let fixtures: Fixtures;
const cases = routeCases(() => fixtures);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

type Mutation =
  | { kind: "raw"; text: string }
  | { kind: "json"; value: unknown }
  | { kind: "fields"; set: Record<string, unknown>; drop: string[] }
  | { kind: "id"; id: string }
  | { kind: "query"; params: Record<string, string> };

const anyJson = fc.jsonValue({ maxDepth: 3 });
const oddText = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom("", "null", "[]", "{", '{"a":', "\u0000", "1e999", '"x"'));

function mutations(good: Call): fc.Arbitrary<Mutation> {
  const keys = good.body && typeof good.body === "object" ? Object.keys(good.body as object) : [];
  const options: fc.Arbitrary<Mutation>[] = [
    fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }).map((params) => ({ kind: "query" as const, params })),
  ];
  if (good.method !== "GET") {
    options.push(
      oddText.map((text) => ({ kind: "raw" as const, text })),
      anyJson.map((value) => ({ kind: "json" as const, value })),
    );
  }
  if (keys.length) {
    options.push(
      fc
        .record({
          set: fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), anyJson, { maxKeys: 3 }),
          drop: fc.subarray(keys),
        })
        .map(({ set, drop }) => ({ kind: "fields" as const, set, drop })),
    );
  }
  if (good.id !== undefined) {
    options.push(
      fc.oneof(fc.string({ maxLength: 80 }), fc.uuid(), fc.constantFrom("demo", "..", "%00", "a".repeat(500))).map((id) => ({ kind: "id" as const, id })),
    );
  }
  return fc.oneof(...options);
}

function apply(good: Call, m: Mutation, as: Session): { request: Request; id: string } {
  const base = { method: good.method, as: good.as ?? as };
  const id = m.kind === "id" ? m.id : (good.id ?? "");
  let path = good.path;
  if (m.kind === "id" && good.id !== undefined) path = path.replace(good.id, encodeURIComponent(m.id));
  if (m.kind === "query") {
    const url = new URL(path, "http://localhost");
    for (const [k, v] of Object.entries(m.params)) url.searchParams.set(k, v);
    path = url.pathname + url.search;
  }
  if (m.kind === "raw") return { request: req(path, { ...base, raw: m.text }), id };
  if (m.kind === "json") return { request: req(path, { ...base, body: m.value }), id };
  if (m.kind === "fields") {
    const b = { ...(good.body as Record<string, unknown>) };
    for (const k of m.drop) delete b[k];
    return { request: req(path, { ...base, body: Object.assign(b, m.set) }), id };
  }
  return { request: req(path, { ...base, body: good.method === "GET" ? undefined : good.body }), id };
}

describe("every API input (property-based)", () => {
  let admin: Session;
  beforeAll(async () => {
    await getDb();
    fixtures = await makeFixtures();
    admin = await account("fuzz-admin", "admin");
  });

  for (const c of cases) {
    it(`${c.method} ${c.file}: never a 500, never a write on a refusal`, async () => {
      // The shape of a good request is the same every time; its fixtures (ids, tokens) are made fresh per run.
      const template = await c.prepare(admin, "admin");
      await fc.assert(
        fc.asyncProperty(mutations(template), async (m) => {
          await resetThrottles();
          const good = await c.prepare(admin, "admin");
          const { request, id } = apply(good, m, admin);
          const before = await tableCounts();
          const res = await c.handler(request, ctx(id));
          const text = await res.text();
          expect(res.status, `${JSON.stringify(m)} -> ${text}`).toBeLessThan(500);
          if (res.status >= 400) {
            expect(JSON.parse(text).error.code, text).toMatch(/^[A-Z_]+$/);
            expect(await tableCounts(), JSON.stringify(m)).toEqual(before);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});
