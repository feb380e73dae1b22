// Everything the experiment dashboards plot, aggregated by the database (no tfjs here: the worker stores each
// round's learned reward per cell, and held-out accuracy is scored from that table). Nothing here reads every
// episode into the server: episodes are summed per bucket of consecutive episodes in SQL, reward-model steps are
// thinned in SQL, labels are counted in SQL, and a poll whose `since` matches the current version gets
// `{ unchanged: true }` after a few index-only counts.
import "server-only";
import { Prisma } from "../../../generated/sqlite/client";
import { parseLayout } from "../../maze/layout";
import { truePotential } from "../../maze/truth";
import type { DbOrTx } from "../db/client";
import { dialectOf } from "../db/dialect";
import { EPISODE_BUCKET } from "../training/round-metrics";
import { getExperimentOrThrow } from "./experiments";
import { parseStoredConfig } from "./config";
import { COUNTED_CHOICES, type Choice, type LabelSource } from "../../contracts/words";
import { MOVING_AVERAGE_WINDOW, roundSummarySchema, type DashboardDto, type DashboardResponse, type EpisodePoint } from "../../contracts/dashboard";

export { MOVING_AVERAGE_WINDOW };
/** At most about this many episode points (a chart is ~600 px wide; more points only cost rendering time) (buckets never straddle rounds, so a run of many short rounds gets one more per round). */
export const MAX_EPISODE_POINTS = 250;
/** Up to this many episodes the curves are summed from the episode metrics (exact per episode); beyond, from EpisodeBucket rows. */
export const RAW_EPISODE_LIMIT = 1000;
/** At most this many reward-model steps (every stride-th, and the last). */
export const MAX_REWARD_POINTS = 250;
/** Bumped when the dashboard's shape or aggregation changes, so a client's old `since` never matches. */
const FORMAT = "2";

/**
 * The latest full answers by experiment, each valid while its version is current: opening the page of a finished
 * experiment, or a poll after another viewer's change, reads the version (a few index lookups) instead of
 * aggregating again. The version covers everything drawn (dashboardVersion), so an answer is never stale by more
 * than what `since` polls already accept. Per process; the least recently used goes first.
 */
const answers = new Map<string, DashboardDto>();
const CACHED_ANSWERS = 16;

export async function getDashboard(db: DbOrTx, experimentId: string, since?: string): Promise<DashboardResponse> {
  const exp = await getExperimentOrThrow(db, experimentId);
  const version = await dashboardVersion(db, exp);
  if (since !== undefined && since === version) return { unchanged: true, version };
  const cached = answers.get(experimentId);
  answers.delete(experimentId);
  if (cached?.version === version) {
    answers.set(experimentId, cached);
    return cached;
  }
  const answer = await aggregateDashboard(db, exp, version);
  answers.set(experimentId, answer);
  if (answers.size > CACHED_ANSWERS) answers.delete(answers.keys().next().value!);
  return answer;
}

/** Reads and aggregates everything the dashboards draw (the answer of `version`). */
async function aggregateDashboard(db: DbOrTx, exp: Awaited<ReturnType<typeof getExperimentOrThrow>>, version: string): Promise<DashboardDto> {
  const experimentId = exp.id;
  const config = parseStoredConfig(exp.config);

  const [episodeData, rewardData, roundRows, labels] = await Promise.all([
    episodeSeries(db, experimentId),
    rewardUpdates(db, jsonFields(dialectOf(db)), experimentId),
    db.metric.findMany({ where: { experimentId, kind: "round" }, orderBy: { createdAt: "asc" }, select: { data: true, roundId: true } }),
    labelCounts(db, experimentId),
  ]);

  // Stored by the round runner from the same contract; a row that does not parse (an older format) is left out.
  const summaries = roundRows.flatMap((r) => {
    const parsed = roundSummarySchema.safeParse(JSON.parse(r.data));
    return parsed.success ? [{ ...parsed.data, roundId: r.roundId ?? "" }] : [];
  });
  const rounds = summaries.map(({ rewardTable: _table, ...rest }) => rest);
  const latest = summaries[summaries.length - 1] ?? null;

  // --- heatmap: learned reward per cell beside the true potential -distance ---
  const layout = parseLayout(config.env.layout);
  const potential = Array.from(truePotential(layout), (v) => (Number.isNaN(v) ? null : v));

  return {
    version,
    experiment: { id: exp.id, name: exp.name, labellingMode: exp.labellingMode, teacher: config.teacher.kind },
    episodes: episodeData.points,
    episodeStats: { total: episodeData.total, bucketSize: episodeData.bucketSize },
    rewardUpdates: rewardData.points,
    rewardUpdateStats: { total: rewardData.total, stride: rewardData.stride },
    rounds,
    heatmap: {
      rows: layout.rows,
      cols: layout.cols,
      walls: Array.from(layout.walls, (w) => w === 1),
      start: layout.start,
      goal: layout.goal,
      potential,
      learned: latest?.rewardTable ?? null,
      round: latest?.round ?? null,
      spearman: latest?.spearman ?? null,
    },
    ...labels,
  };
}

/**
 * What the dashboard shows changes only when episodes, a round's results (its summary and reward-model steps are
 * written together) or labels are stored, or the experiment is renamed or switched: sums and counts from indexes
 * and the episode buckets, never every episode.
 */
export async function dashboardVersion(db: DbOrTx, exp: { id: string; name: string; labellingMode: string }): Promise<string> {
  const [row] = await db.$queryRaw<{ episodes: Num | null; rounds: Num; labels: Num; lastLabel: unknown }[]>`
    SELECT
      (SELECT SUM(b."episodes") FROM "EpisodeBucket" b WHERE b."experimentId" = ${exp.id}) AS "episodes",
      (SELECT COUNT(*) FROM "Metric" m WHERE m."experimentId" = ${exp.id} AND m."kind" = 'round') AS "rounds",
      (SELECT COUNT(*) FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId" WHERE p."experimentId" = ${exp.id}) AS "labels",
      (SELECT MAX(l."createdAt") FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId" WHERE p."experimentId" = ${exp.id}) AS "lastLabel"`;
  const time = (t: unknown) => (t instanceof Date ? t.getTime() : t === null ? "-" : String(t));
  return [FORMAT, Number(row.episodes ?? 0), Number(row.rounds), Number(row.labels), time(row.lastLabel), exp.labellingMode, hash(exp.name)].join(".");
}

/** The JSON fields of episode and reward-update metrics, as SQL expressions over the column "j" of a row `x` (`source AS "j"`). */
function jsonFields(dialect: ReturnType<typeof dialectOf>) {
  if (dialect === "sqlite") {
    const f = (name: string) => Prisma.raw(`json_extract(x."j", '$.${name}')`);
    return { source: Prisma.raw(`"data"`), int: f, num: f, bool: f };
  }
  // PostgreSQL: parse the text once per row, then read fields.
  return {
    source: Prisma.raw(`"data"::jsonb`),
    int: (name: string) => Prisma.raw(`(x."j"->>'${name}')::int`),
    num: (name: string) => Prisma.raw(`(x."j"->>'${name}')::float8`),
    bool: (name: string) => Prisma.raw(`(x."j"->>'${name}')::boolean::int`),
  };
}
type JsonFields = ReturnType<typeof jsonFields>;

/**
 * Numbers as the driver gives them (COUNT is a bigint). Every float column is CAST: the SQLite adapter types a
 * column by its first row, so an integer-valued first MAX (-1) would truncate the 9.8 of later rows.
 */
type Num = number | bigint;
type BucketRow = { round: Num; n: Num; first: Num; mean: Num; lo: Num; hi: Num; success: Num; len: Num; policyLoss: Num | null; epsilon: Num };

/**
 * The episode curves, summed per bucket of `bucketSize` consecutive episode numbers (split where a round starts),
 * so the browser gets a bounded number of points. Up to RAW_EPISODE_LIMIT episodes they are summed from the
 * episode metrics themselves (one point per episode while there are at most MAX_EPISODE_POINTS); beyond, from the
 * stored EpisodeBucket rows (10 episodes each), merged in multiples of 10. The moving average runs over whole
 * buckets spanning at least MOVING_AVERAGE_WINDOW episodes: with one episode per bucket, the plain moving average.
 */
export async function episodeSeries(db: DbOrTx, experimentId: string, force?: { source: "metrics" | "buckets"; bucketSize: number }) {
  const stored = await db.episodeBucket.aggregate({ where: { experimentId }, _sum: { episodes: true } });
  const total = stored._sum.episodes ?? 0;
  const source = force?.source ?? (total <= RAW_EPISODE_LIMIT ? "metrics" : "buckets");
  const bucketSize =
    force?.bucketSize ??
    (source === "metrics"
      ? Math.max(1, Math.ceil(total / MAX_EPISODE_POINTS))
      : EPISODE_BUCKET * Math.max(1, Math.ceil(total / MAX_EPISODE_POINTS / EPISODE_BUCKET)));
  if (source === "buckets" && bucketSize % EPISODE_BUCKET !== 0) throw new Error(`stored buckets merge in multiples of ${EPISODE_BUCKET}`);
  const rows = !total
    ? []
    : source === "metrics"
      ? await fromMetrics(db, jsonFields(dialectOf(db)), experimentId, bucketSize)
      : await fromBuckets(db, experimentId, bucketSize);
  return { points: toPoints(rows), total, bucketSize };
}

function fromMetrics(db: DbOrTx, sql: JsonFields, experimentId: string, bucketSize: number) {
  return db.$queryRaw<BucketRow[]>`
    SELECT "round", COUNT(*) AS "n", MIN("episode") AS "first", CAST(AVG("ret") AS DOUBLE PRECISION) AS "mean",
      CAST(MIN("ret") AS DOUBLE PRECISION) AS "lo", CAST(MAX("ret") AS DOUBLE PRECISION) AS "hi",
      CAST(AVG("succ") AS DOUBLE PRECISION) AS "success", CAST(AVG("len") AS DOUBLE PRECISION) AS "len",
      CAST(AVG("pl") AS DOUBLE PRECISION) AS "policyLoss", CAST(AVG("eps") AS DOUBLE PRECISION) AS "epsilon"
    FROM (
      SELECT x."episode" AS "episode", ${sql.int("round")} AS "round", ${sql.num("return")} AS "ret", ${sql.bool("success")} AS "succ",
        ${sql.num("length")} AS "len", ${sql.num("policyLoss")} AS "pl", ${sql.num("epsilon")} AS "eps"
      FROM (SELECT "episode", ${sql.source} AS "j" FROM "Metric" WHERE "experimentId" = ${experimentId} AND "kind" = 'episode') x
    ) e
    GROUP BY "round", "episode" / CAST(${bucketSize} AS INTEGER)
    ORDER BY MIN("episode")`;
}

function fromBuckets(db: DbOrTx, experimentId: string, bucketSize: number) {
  return db.$queryRaw<BucketRow[]>`
    SELECT "round", SUM("episodes") AS "n", MIN("firstEpisode") AS "first",
      CAST(SUM("returnSum") / SUM("episodes") AS DOUBLE PRECISION) AS "mean",
      CAST(MIN("returnMin") AS DOUBLE PRECISION) AS "lo", CAST(MAX("returnMax") AS DOUBLE PRECISION) AS "hi",
      CAST(SUM("successes") AS DOUBLE PRECISION) / SUM("episodes") AS "success",
      CAST(SUM("lengthSum") / SUM("episodes") AS DOUBLE PRECISION) AS "len",
      CASE WHEN SUM("policyLosses") > 0 THEN CAST(SUM("policyLossSum") / SUM("policyLosses") AS DOUBLE PRECISION) END AS "policyLoss",
      CAST(SUM("epsilonSum") / SUM("episodes") AS DOUBLE PRECISION) AS "epsilon"
    FROM "EpisodeBucket"
    WHERE "experimentId" = ${experimentId}
    GROUP BY "round", "bucket" / CAST(${bucketSize / EPISODE_BUCKET} AS INTEGER)
    ORDER BY MIN("firstEpisode")`;
}

function toPoints(rows: BucketRow[]): EpisodePoint[] {
  const firstOfRound = new Map<number, number>();
  const points: EpisodePoint[] = [];
  // Running window of whole buckets covering at least MOVING_AVERAGE_WINDOW episodes.
  const window: { n: number; ret: number; succ: number }[] = [];
  let wn = 0;
  let wret = 0;
  let wsucc = 0;
  for (const r of rows) {
    const round = Number(r.round);
    const n = Number(r.n);
    const episode = Number(r.first);
    if (!firstOfRound.has(round)) firstOfRound.set(round, episode);
    const success = Number(r.success);
    const mean = Number(r.mean);
    window.push({ n, ret: mean * n, succ: success * n });
    wn += n;
    wret += mean * n;
    wsucc += success * n;
    while (window.length > 1 && wn - window[0].n >= MOVING_AVERAGE_WINDOW) {
      const old = window.shift()!;
      wn -= old.n;
      wret -= old.ret;
      wsucc -= old.succ;
    }
    points.push({
      episode,
      episodes: n,
      round,
      inRound: episode - firstOfRound.get(round)!,
      return: round3(mean),
      returnMin: round3(Number(r.lo)),
      returnMax: round3(Number(r.hi)),
      returnMA: round3(wret / wn),
      success: round3(success),
      successMA: round3(wsucc / wn),
      length: round3(Number(r.len)),
      policyLoss: r.policyLoss === null ? null : round4(Number(r.policyLoss)),
      epsilon: round4(Number(r.epsilon)),
    });
  }
  return points;
}

/** Reward-model steps in the order they ran (round, then step), every stride-th and the last. */
async function rewardUpdates(db: DbOrTx, sql: JsonFields, experimentId: string) {
  const total = await db.metric.count({ where: { experimentId, kind: "reward-update" } });
  const stride = Math.max(1, Math.ceil(total / MAX_REWARD_POINTS));
  const rows = total
    ? await db.$queryRaw<{ rn: number | bigint; data: string }[]>`
    SELECT "rn", "data" FROM (
      SELECT x."data" AS "data", ROW_NUMBER() OVER (ORDER BY ${sql.int("round")}, ${sql.int("step")}, x."createdAt") AS "rn"
      FROM (SELECT "createdAt", "data", ${sql.source} AS "j" FROM "Metric" WHERE "experimentId" = ${experimentId} AND "kind" = 'reward-update') x
    ) s
    WHERE ("rn" - 1) % CAST(${stride} AS INTEGER) = 0 OR "rn" = CAST(${total} AS INTEGER)
    ORDER BY "rn"`
    : [];
  const points = rows.map((r) => {
    const d = JSON.parse(r.data) as { round: number; loss: number; accuracy: number | null };
    return { step: Number(r.rn) - 1, round: d.round, loss: d.loss, accuracy: d.accuracy };
  });
  return { points, total, stride };
}

type Counted = (typeof COUNTED_CHOICES)[number];

/** Labels by source and by person, and human vs teacher on pairs both labelled, counted by the database. */
async function labelCounts(db: DbOrTx, experimentId: string): Promise<Pick<DashboardDto, "labels" | "agreement">> {
  const [groups, cross, both] = await Promise.all([
    db.$queryRaw<{ source: LabelSource; userId: string | null; name: string | null; choice: Choice; n: bigint | number }[]>`
      SELECT l."source" AS "source", l."userId" AS "userId", u."name" AS "name", l."choice" AS "choice", COUNT(*) AS "n"
      FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId" LEFT JOIN "User" u ON u."id" = l."userId"
      WHERE p."experimentId" = ${experimentId}
      GROUP BY l."source", l."userId", u."name", l."choice"`,
    db.$queryRaw<{ human: Counted; synthetic: Counted; n: bigint | number }[]>`
      SELECT h."choice" AS "human", s."choice" AS "synthetic", COUNT(*) AS "n"
      FROM "Label" h JOIN "Pair" p ON p."id" = h."pairId" JOIN "Label" s ON s."pairId" = h."pairId"
      WHERE p."experimentId" = ${experimentId} AND h."source" = 'human' AND s."source" = 'synthetic' AND h."choice" <> 'skip' AND s."choice" <> 'skip'
      GROUP BY h."choice", s."choice"`,
    db.$queryRaw<{ pairs: bigint | number }[]>`
      SELECT COUNT(DISTINCT h."pairId") AS "pairs"
      FROM "Label" h JOIN "Pair" p ON p."id" = h."pairId" JOIN "Label" s ON s."pairId" = h."pairId"
      WHERE p."experimentId" = ${experimentId} AND h."source" = 'human' AND s."source" = 'synthetic' AND h."choice" <> 'skip' AND s."choice" <> 'skip'`,
  ]);

  const bySource = { human: 0, synthetic: 0 };
  const people = new Map<string, { name: string; left: number; right: number; equal: number; skip: number; total: number }>();
  for (const g of groups) {
    const n = Number(g.n);
    bySource[g.source] += n;
    if (g.source !== "human") continue;
    const name = g.name ?? "(deleted user)";
    const p = people.get(name) ?? { name, left: 0, right: 0, equal: 0, skip: 0, total: 0 };
    p[g.choice] += n;
    p.total += n;
    people.set(name, p);
  }
  const matrix = Object.fromEntries(
    COUNTED_CHOICES.map((h) => [h, Object.fromEntries(COUNTED_CHOICES.map((s) => [s, 0]))]),
  ) as DashboardDto["agreement"]["matrix"];
  let compared = 0;
  let agree = 0;
  for (const c of cross) {
    const n = Number(c.n);
    matrix[c.human][c.synthetic] += n;
    compared += n;
    if (c.human === c.synthetic) agree += n;
  }
  return {
    labels: { bySource, byPerson: [...people.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)) },
    agreement: { pairs: Number(both[0]?.pairs ?? 0), compared, agree, rate: compared ? round3(agree / compared) : null, matrix },
  };
}

function hash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round4 = (x: number) => Math.round(x * 10000) / 10000;
