// The role x route matrix: every API handler, called with good input by a signed-out visitor and by each role.
// Allowed: 2xx. Not allowed: 401 (signed out) or 403 (role too low), and no table changes.
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/server/db/client";
import { ROLES, type Role } from "@/lib/contracts/auth";
import { account, ctx, resetThrottles, tableCounts, type Session } from "./helpers";
import { callRequest, exportedHandlers, makeFixtures, routeCases, type Access, type Fixtures } from "./routes";

const RANK = { labeler: 0, researcher: 1, admin: 2 } as const;
const allowed = (access: Access, role: Role | "anon") => access === "public" || (role !== "anon" && RANK[role] >= RANK[access]);

let fixtures: Fixtures;
const cases = routeCases(() => fixtures);
const sessions: Record<string, Session | null> = { anon: null };

describe("role x route matrix", () => {
  beforeAll(async () => {
    await getDb();
    fixtures = await makeFixtures();
    for (const role of ROLES) sessions[role] = await account(`matrix-${role}`, role);
  });

  it("lists every handler under app/api", async () => {
    const listed = cases.map((c) => `${c.file} ${c.method}`).sort();
    expect(listed).toEqual(await exportedHandlers());
  });

  for (const c of cases) {
    for (const role of ["anon", ...ROLES] as const) {
      const ok = allowed(c.access, role);
      it(`${c.method} ${c.file} as ${role}: ${ok ? "2xx" : role === "anon" ? "401" : "403"}`, async () => {
        await resetThrottles();
        const as = sessions[role];
        const call = await c.prepare(as, role);
        const before = await tableCounts();
        const res = await c.handler(callRequest(call, as), ctx(call.id ?? ""));
        if (ok) {
          expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(300);
          await res.arrayBuffer();
        } else {
          expect(res.status).toBe(role === "anon" ? 401 : 403);
          expect((await res.json()).error.code).toBe(role === "anon" ? "UNAUTHORIZED" : "FORBIDDEN");
          expect(await tableCounts()).toEqual(before);
        }
      });
    }
  }
});
