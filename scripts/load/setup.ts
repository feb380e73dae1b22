// What a load run needs on running servers: labeller accounts and an experiment with open pairs (written straight
// into the database when its URL is known, else made through the API as an admin would), each labeller signed in on
// the instance it is sent to; afterwards, the labels the database holds, counted by id.
import { performance } from "node:perf_hooks";
import { api, signIn } from "../app-server";
import { seedLabelling, type SeededLabelling } from "../seed-labelling";

const API_PAIRS_MAX = 500; // one round's pairs (the experiment form's limit)

/** Seeds directly in the database (fast, any size): the domain's own insert functions, in createMany batches. */
export async function seedInDatabase(databaseUrl: string, opts: { pairs: number; users: number; prefix: string }): Promise<SeededLabelling> {
  process.env.DATABASE_URL = databaseUrl;
  return seedLabelling({ ...opts, trajectories: Math.min(4000, opts.pairs * 2) });
}

/**
 * Seeds through the API of a running instance with an admin's credentials: creates the labeller accounts, a human
 * experiment, and starts a round, then waits until its worker has put the round's pairs in the queue (at most one
 * round's worth: 500 pairs; the instance, or a worker on its database, must be running).
 */
export async function seedThroughApi(
  base: string,
  admin: { name: string; password: string },
  opts: { pairs: number; users: number; prefix: string },
  log: (line: string) => void,
): Promise<SeededLabelling & { pairs: number }> {
  const cookie = await signIn(base, admin.name, admin.password);
  const pairs = Math.min(opts.pairs, API_PAIRS_MAX);
  if (pairs < opts.pairs) log(`[load] through the API one round holds at most ${API_PAIRS_MAX} pairs: seeding ${pairs} (give --database-url for more)`);
  const runId = Date.now().toString(36);
  const labellers = [];
  for (let i = 1; i <= opts.users; i++) {
    const name = `${opts.prefix}-${runId}-${i}`;
    const password = `pw-${name}-${Math.random().toString(36).slice(2, 10)}`;
    const made = await api(base, cookie, "POST", "/api/users", { name, role: "labeler", password });
    if (made.status !== 201) throw new Error(`creating labeller ${name}: ${made.status} ${JSON.stringify(made.body)}`);
    labellers.push({ name, password });
  }
  const exp = await api<{ experiment: { id: string } }>(base, cookie, "POST", "/api/experiments", {
    name: `Load ${runId}`,
    preset: "default",
    seed: 1,
    maze: { kind: "random", rows: 8, cols: 8, seed: 1, wallDensity: 0.2 },
    shaping: { mode: "potential", beta: 0.5 },
    teacher: "oracle",
    labellingMode: "human",
    labelsPerPair: 1,
    episodesPerRound: Math.min(5000, Math.max(50, pairs)),
    pairsPerRound: pairs,
    pairSelection: "random",
    labelTimeLimitSec: 3600,
  });
  if (exp.status !== 201) throw new Error(`creating the experiment: ${exp.status} ${JSON.stringify(exp.body)}`);
  const experimentId = exp.body.experiment.id;
  const round = await api(base, cookie, "POST", `/api/experiments/${experimentId}/rounds`, {});
  if (round.status !== 201) throw new Error(`starting a round: ${round.status} ${JSON.stringify(round.body)}`);
  const deadline = performance.now() + 300_000;
  for (;;) {
    const q = await api<{ stats: { waiting: number } }>(base, cookie, "GET", `/api/label/queue?experiment=${experimentId}`);
    if (q.status === 200 && q.body.stats.waiting > 0) {
      log(`[load] the round put ${q.body.stats.waiting} pairs in the queue`);
      return { experimentId, labellers, pairs: q.body.stats.waiting };
    }
    if (performance.now() > deadline) throw new Error("the round's pairs did not reach the queue in 5 min: is a worker running on that database?");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Signs each labeller in on the instance it will be sent to (round robin over `bases`). */
export async function signInSpread(bases: string[], labellers: { name: string; password: string }[]) {
  const out = [];
  for (const [i, l] of labellers.entries()) {
    const home = i % bases.length;
    out.push({ name: l.name, home, cookie: await signIn(bases[home], l.name, l.password) });
  }
  return out;
}
