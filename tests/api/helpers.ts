// Calling route handlers the way Next does: a Request (with the session cookie of an account), and params as a promise.
import { createHash } from "node:crypto";
import { createSession, SESSION_COOKIE } from "@/lib/server/auth/session";
import { getDb } from "@/lib/server/db/client";
import { hashPassword } from "@/lib/server/auth/password";
import type { Role } from "@/lib/contracts/auth";

export const BASE = "http://localhost:3000";

export type Session = { id: string; name: string; role: Role; cookie: string; password: string };

const accounts = new Map<string, Session>();

/** An account with `role` (created on first use, password `pw-<name>-123`) and a session cookie for it. */
export async function account(name: string, role: Role = "labeler"): Promise<Session> {
  const hit = accounts.get(name);
  if (hit) return hit;
  const db = await getDb();
  const password = `pw-${name}-123`;
  const user = await db.user.upsert({
    where: { name },
    create: { name, role, passwordHash: await hashPassword(password) },
    update: { role },
  });
  const session = { id: user.id, name, role, password, cookie: `${SESSION_COOKIE}=${await createSession(db, user.id)}` };
  accounts.set(name, session);
  return session;
}

/** Forgets every failed password attempt (the throttles live in the database). */
export async function resetThrottles(): Promise<void> {
  await (await getDb()).authThrottle.deleteMany();
}

let defaultSession: Session | null = null;
/** The account `req` signs requests with when none is given (null: signed out). */
export function actAs(session: Session | null): void {
  defaultSession = session;
}

type Init = { method?: string; body?: unknown; raw?: string; as?: Session | null; headers?: Record<string, string> };

/** A request as the app's own pages send it: JSON, and (for state changes) the app's Origin, as browsers add it. */
export function req(path: string, init: Init = {}): Request {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(["GET", "HEAD"].includes(method) ? {} : { origin: BASE }),
    ...init.headers,
  };
  const session = init.as === undefined ? defaultSession : init.as;
  if (session) headers.cookie = session.cookie;
  return new Request(`${BASE}${path}`, {
    method,
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
}

export const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

export async function body<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const goodExperiment = (over: Record<string, unknown> = {}) => ({
  name: "API test maze",
  preset: "default",
  seed: 1,
  maze: { kind: "text", text: "S...\n.#..\n.#..\n...G" },
  shaping: { mode: "potential", beta: 0.5 },
  teacher: "oracle",
  labellingMode: "human",
  labelsPerPair: 1,
  episodesPerRound: 20,
  pairsPerRound: 6,
  pairSelection: "random",
  labelTimeLimitSec: 30,
  ...over,
});

/** The field paths of a 4xx body. */
export const fieldPaths = (b: any): string[] => (b.error?.details?.fields ?? []).map((f: { path: string }) => f.path).sort();

/**
 * Every table's row count, and a digest of the rows of the tables a request can change in place (accounts,
 * links, experiments, pairs, leases, labels, rounds): a refused request must leave all of it as it was.
 */
export async function tableCounts(): Promise<Record<string, number | string>> {
  const db = await getDb();
  const digest = (rows: unknown[]) => createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16);
  const byId = { orderBy: { id: "asc" as const } };
  const [users, experiments, pairs, leases, labels, rounds, invites, trajectories, checkpoints, metrics] = await Promise.all([
    db.user.findMany(byId),
    db.experiment.findMany(byId),
    db.pair.findMany(byId),
    db.lease.findMany(byId),
    db.label.findMany(byId),
    db.trainingRound.findMany(byId),
    db.invite.findMany(byId),
    db.trajectory.count(),
    db.checkpoint.count(),
    db.metric.count(),
  ]);
  const tables = { users, experiments, pairs, leases, labels, rounds, invites };
  return {
    ...Object.fromEntries(Object.entries(tables).map(([k, rows]) => [k, rows.length])),
    ...Object.fromEntries(Object.entries(tables).map(([k, rows]) => [`${k}Digest`, digest(rows)])),
    trajectories,
    checkpoints,
    metrics,
  };
}
