// Every API route with the least role it needs and how to call it with good input: the access matrix and the
// property tests both walk this table, and a test checks that it lists every handler under app/api.
import { readdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import * as experiments from "@/app/api/experiments/route";
import * as experiment from "@/app/api/experiments/[id]/route";
import * as dashboard from "@/app/api/experiments/[id]/dashboard/route";
import * as exportRoute from "@/app/api/experiments/[id]/export/route";
import * as expRounds from "@/app/api/experiments/[id]/rounds/route";
import * as round from "@/app/api/rounds/[id]/route";
import * as cancel from "@/app/api/rounds/[id]/cancel/route";
import * as targets from "@/app/api/label/targets/route";
import * as next from "@/app/api/label/next/route";
import * as queue from "@/app/api/label/queue/route";
import * as labellers from "@/app/api/experiments/[id]/labellers/route";
import * as pair from "@/app/api/pairs/[id]/route";
import * as label from "@/app/api/pairs/[id]/label/route";
import * as me from "@/app/api/me/route";
import * as password from "@/app/api/me/password/route";
import * as signIn from "@/app/api/auth/sign-in/route";
import * as signOut from "@/app/api/auth/sign-out/route";
import * as invite from "@/app/api/auth/invite/route";
import * as users from "@/app/api/users/route";
import * as user from "@/app/api/users/[id]/route";
import * as reset from "@/app/api/users/[id]/reset/route";
import * as invites from "@/app/api/invites/route";
import * as oneInvite from "@/app/api/invites/[id]/route";
import * as health from "@/app/api/health/route";
import * as ready from "@/app/api/health/ready/route";
import * as warm from "@/app/api/health/warm/route";
import { WARM_TOKEN_HEADER } from "@/lib/contracts/health";
import { markReady, markWarming, warmToken } from "@/lib/server/readiness";
import { getDb } from "@/lib/server/db/client";
import { enqueueRound } from "@/lib/server/training/rounds";
import { createInvite } from "@/lib/server/auth/users";
import type { Role } from "@/lib/contracts/auth";
import { account, body, goodExperiment, req, type Session } from "./helpers";

export type Access = Role | "public";
type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response> | Response;

export interface Call {
  method: string;
  path: string;
  id?: string;
  body?: unknown;
  /** Call as this account instead of the role's usual one (routes that change the account itself). */
  as?: Session;
  headers?: Record<string, string>;
}

export interface RouteCase {
  /** The route file under app/api, and the method. */
  file: string;
  method: string;
  access: Access;
  handler: Handler;
  /** A good request for `as` (fixtures made here are not counted as the request's writes). */
  prepare: (as: Session | null, role: Role | "anon") => Promise<Call>;
}

let n = 0;
const unique = (prefix: string) => `${prefix}${++n}-${randomUUID().slice(0, 6)}`;

/** Fixtures shared by the cases: made once per test file. */
export interface Fixtures {
  experimentId: string;
  pairId: string;
  roundId: string;
  target: Session;
}

export async function makeFixtures(): Promise<Fixtures> {
  const root = await account("fixture-admin", "admin");
  await experiments.GET(req("/api/experiments", { as: root })); // on an empty database: the demo experiment, with pairs
  const created = await body(await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment({ name: "matrix" }), as: root })));
  const experimentId = created.experiment.id;
  const db = await getDb();
  const pairId = (await db.pair.findFirstOrThrow({ where: { experimentId: "demo" } })).id;
  const roundId = (await enqueueRound(db, experimentId)).id;
  return { experimentId, pairId, roundId, target: await account("fixture-target", "labeler") };
}

async function freshRound(): Promise<string> {
  const res = await experiments.POST(
    req("/api/experiments", { method: "POST", body: goodExperiment({ name: unique("r") }), as: await account("fixture-admin", "admin") }),
  );
  return (await enqueueRound(await getDb(), (await body(res)).experiment.id)).id;
}

export function routeCases(f: () => Fixtures): RouteCase[] {
  const get = (p: string, id?: string): Call => ({ method: "GET", path: p, id });
  return [
    { file: "experiments/route.ts", method: "GET", access: "researcher", handler: experiments.GET, prepare: async () => get("/api/experiments") },
    { file: "health/route.ts", method: "GET", access: "public", handler: health.GET, prepare: async () => get("/api/health") },
    {
      file: "health/ready/route.ts",
      method: "GET",
      access: "public",
      handler: ready.GET,
      // Ready as after a warm start (tests/api/health.test.ts covers the 503 before it).
      prepare: async () => {
        markReady();
        return get("/api/health/ready");
      },
    },
    {
      file: "health/warm/route.ts",
      method: "GET",
      access: "public",
      handler: warm.GET,
      // As the HTTP warm-up calls it: warming, with this process's token (tests/api/health.test.ts covers the 404s).
      prepare: async () => {
        markWarming();
        return { ...get("/api/health/warm"), headers: { [WARM_TOKEN_HEADER]: warmToken() } };
      },
    },
    {
      file: "experiments/route.ts",
      method: "POST",
      access: "researcher",
      handler: experiments.POST,
      prepare: async () => ({ method: "POST", path: "/api/experiments", body: goodExperiment({ name: unique("e") }) }),
    },
    {
      file: "experiments/[id]/route.ts",
      method: "GET",
      access: "researcher",
      handler: experiment.GET,
      prepare: async () => get(`/api/experiments/${f().experimentId}`, f().experimentId),
    },
    {
      file: "experiments/[id]/route.ts",
      method: "PATCH",
      access: "researcher",
      handler: experiment.PATCH,
      prepare: async () => ({
        method: "PATCH",
        path: `/api/experiments/${f().experimentId}`,
        id: f().experimentId,
        body: { labellingMode: n++ % 2 ? "mixed" : "human", name: unique("renamed") },
      }),
    },
    {
      file: "experiments/[id]/dashboard/route.ts",
      method: "GET",
      access: "researcher",
      handler: dashboard.GET,
      prepare: async () => get(`/api/experiments/${f().experimentId}/dashboard`, f().experimentId),
    },
    {
      file: "experiments/[id]/export/route.ts",
      method: "GET",
      access: "researcher",
      handler: exportRoute.GET,
      prepare: async () => get("/api/experiments/demo/export", "demo"),
    },
    {
      file: "experiments/[id]/rounds/route.ts",
      method: "GET",
      access: "researcher",
      handler: expRounds.GET,
      prepare: async () => get(`/api/experiments/${f().experimentId}/rounds`, f().experimentId),
    },
    {
      file: "experiments/[id]/rounds/route.ts",
      method: "POST",
      access: "admin",
      handler: expRounds.POST,
      prepare: async () => {
        const res = await experiments.POST(
          req("/api/experiments", { method: "POST", body: goodExperiment({ name: unique("q") }), as: await account("fixture-admin", "admin") }),
        );
        const id = (await body(res)).experiment.id;
        return { method: "POST", path: `/api/experiments/${id}/rounds`, id, body: { episodes: 20 } };
      },
    },
    {
      file: "rounds/[id]/route.ts",
      method: "GET",
      access: "researcher",
      handler: round.GET,
      prepare: async () => get(`/api/rounds/${f().roundId}`, f().roundId),
    },
    {
      file: "rounds/[id]/cancel/route.ts",
      method: "POST",
      access: "admin",
      handler: cancel.POST,
      prepare: async () => {
        const id = await freshRound();
        return { method: "POST", path: `/api/rounds/${id}/cancel`, id };
      },
    },
    { file: "label/targets/route.ts", method: "GET", access: "labeler", handler: targets.GET, prepare: async () => get("/api/label/targets") },
    {
      file: "label/next/route.ts",
      method: "POST",
      access: "labeler",
      handler: next.POST,
      prepare: async () => ({ method: "POST", path: "/api/label/next", body: { experimentId: "demo" } }),
    },
    { file: "label/queue/route.ts", method: "GET", access: "labeler", handler: queue.GET, prepare: async () => get("/api/label/queue?experiment=demo") },
    {
      file: "experiments/[id]/labellers/route.ts",
      method: "GET",
      access: "researcher",
      handler: labellers.GET,
      prepare: async () => get(`/api/experiments/${f().experimentId}/labellers`, f().experimentId),
    },
    { file: "pairs/[id]/route.ts", method: "GET", access: "researcher", handler: pair.GET, prepare: async () => get(`/api/pairs/${f().pairId}`, f().pairId) },
    {
      file: "pairs/[id]/label/route.ts",
      method: "POST",
      access: "labeler",
      handler: label.POST,
      prepare: async (as) => {
        // The pair this account holds (a labeller can only label a pair leased to them).
        let pairId = f().pairId;
        if (as) {
          const held = await body(await next.POST(req("/api/label/next", { method: "POST", body: { experimentId: "demo" }, as })));
          pairId = held.pair.pairId;
        }
        return { method: "POST", path: `/api/pairs/${pairId}/label`, id: pairId, body: { labelId: randomUUID(), choice: "left", responseMs: 1200 } };
      },
    },
    { file: "me/route.ts", method: "GET", access: "labeler", handler: me.GET, prepare: async () => get("/api/me") },
    {
      file: "me/password/route.ts",
      method: "PUT",
      access: "labeler",
      handler: password.PUT,
      // Its own account: the change ends the account's other sessions.
      prepare: async (_as, role) => {
        const own = role === "anon" ? null : await account(unique(`pw-${role}-`), role);
        return {
          method: "PUT",
          path: "/api/me/password",
          body: { currentPassword: own?.password ?? "whatever-123", newPassword: "a-new-password-1" },
          ...(own ? { as: own } : {}),
        };
      },
    },
    {
      file: "auth/sign-in/route.ts",
      method: "POST",
      access: "public",
      handler: signIn.POST,
      prepare: async () => {
        const t = f().target;
        return { method: "POST", path: "/api/auth/sign-in", body: { name: t.name, password: t.password } };
      },
    },
    {
      file: "auth/sign-out/route.ts",
      method: "POST",
      access: "public",
      handler: signOut.POST,
      // Its own account: sign-out deletes the session on the server, so the shared ones must not be used.
      prepare: async (_as, role) => {
        const own = role === "anon" ? null : await account(unique(`so-${role}-`), role);
        return { method: "POST", path: "/api/auth/sign-out", body: {}, ...(own ? { as: own } : {}) };
      },
    },
    {
      file: "auth/invite/route.ts",
      method: "POST",
      access: "public",
      handler: invite.POST,
      prepare: async () => {
        const admin = await account("fixture-admin", "admin");
        const link = await createInvite(await getDb(), admin, { role: "labeler", expiresInHours: 1 });
        return { method: "POST", path: "/api/auth/invite", body: { token: link.path.split("/").pop(), name: unique("inv"), password: "invited-pass-1" } };
      },
    },
    { file: "users/route.ts", method: "GET", access: "admin", handler: users.GET, prepare: async () => get("/api/users") },
    {
      file: "users/route.ts",
      method: "POST",
      access: "admin",
      handler: users.POST,
      prepare: async () => ({ method: "POST", path: "/api/users", body: { name: unique("u"), role: "labeler", password: "first-pass-1" } }),
    },
    {
      file: "users/[id]/route.ts",
      method: "PATCH",
      access: "admin",
      handler: user.PATCH,
      prepare: async () => ({ method: "PATCH", path: `/api/users/${f().target.id}`, id: f().target.id, body: { role: "labeler" } }),
    },
    {
      file: "users/[id]/reset/route.ts",
      method: "POST",
      access: "admin",
      handler: reset.POST,
      prepare: async () => ({ method: "POST", path: `/api/users/${f().target.id}/reset`, id: f().target.id }),
    },
    { file: "invites/route.ts", method: "GET", access: "admin", handler: invites.GET, prepare: async () => get("/api/invites") },
    {
      file: "invites/route.ts",
      method: "POST",
      access: "admin",
      handler: invites.POST,
      prepare: async () => ({ method: "POST", path: "/api/invites", body: { role: "labeler", expiresInHours: 24 } }),
    },
    {
      file: "invites/[id]/route.ts",
      method: "DELETE",
      access: "admin",
      handler: oneInvite.DELETE,
      prepare: async () => {
        const link = await createInvite(await getDb(), await account("fixture-admin", "admin"), { role: "labeler", expiresInHours: 1 });
        return { method: "DELETE", path: `/api/invites/${link.id}`, id: link.id };
      },
    },
  ];
}

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Every (route file, method) exported under app/api. */
export async function exportedHandlers(): Promise<string[]> {
  const root = path.resolve(__dirname, "../../app/api");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts"));
  const out: string[] = [];
  for (const file of files) {
    const mod = await import(path.join(root, file));
    for (const m of HTTP_METHODS) if (typeof mod[m] === "function") out.push(`${file.split(path.sep).join("/")} ${m}`);
  }
  return out.sort();
}

export function callRequest(c: Call, as: Session | null): Request {
  return req(c.path, { method: c.method, body: c.body, as: c.as ?? as, headers: c.headers });
}
