// Calling route handlers the way Next does: a Request (with the session cookie of an account), and params as a promise.
import { sealSession, SESSION_COOKIE } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { hashPassword } from "@/lib/server/password";
import type { Role } from "@/lib/schemas/auth";

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
  const session = { id: user.id, name, role, password, cookie: `${SESSION_COOKIE}=${await sealSession({ uid: user.id, v: user.sessionVersion })}` };
  accounts.set(name, session);
  return session;
}

let defaultSession: Session | null = null;
/** The account `req` signs requests with when none is given (null: signed out). */
export function actAs(session: Session | null): void {
  defaultSession = session;
}

type Init = { method?: string; body?: unknown; raw?: string; as?: Session | null; headers?: Record<string, string> };

export function req(path: string, init: Init = {}): Request {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  const session = init.as === undefined ? defaultSession : init.as;
  if (session) headers.cookie = session.cookie;
  return new Request(`${BASE}${path}`, {
    method: init.method ?? "GET",
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

/** Row counts of every table: a refused request must leave them all as they were. */
export async function tableCounts(): Promise<Record<string, number>> {
  const db = await getDb();
  const [users, experiments, trajectories, pairs, leases, labels, rounds, checkpoints, metrics, invites] = await Promise.all([
    db.user.count(),
    db.experiment.count(),
    db.trajectory.count(),
    db.pair.count(),
    db.lease.count(),
    db.label.count(),
    db.trainingRound.count(),
    db.checkpoint.count(),
    db.metric.count(),
    db.invite.count(),
  ]);
  return { users, experiments, trajectories, pairs, leases, labels, rounds, checkpoints, metrics, invites };
}
