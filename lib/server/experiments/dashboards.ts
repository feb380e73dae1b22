// Everything the experiment dashboards plot, computed from stored metrics and labels (no tfjs here:
// the worker stores each round's learned reward per cell, and held-out accuracy is scored from that table).
import "server-only";
import { parseLayout } from "../../maze/layout";
import { truePotential } from "../../maze/truth";
import type { DbOrTx } from "../db/client";
import { getExperimentOrThrow } from "./experiments";
import { parseStoredConfig } from "./config";
import { movingAverage } from "../../rl/stats";
import { COUNTED_CHOICES } from "../../contracts/words";
import { roundSummarySchema, type DashboardDto, type EpisodePoint } from "../../contracts/dashboard";

export const MOVING_AVERAGE_WINDOW = 20;
const MAX_EPISODE_POINTS = 1500;

export async function getDashboard(db: DbOrTx, experimentId: string): Promise<DashboardDto> {
  const exp = await getExperimentOrThrow(db, experimentId);
  const config = parseStoredConfig(exp.config);

  const [episodeRows, rewardRows, roundRows, labels] = await Promise.all([
    db.metric.findMany({ where: { experimentId, kind: "episode" }, orderBy: { episode: "asc" }, select: { episode: true, data: true } }),
    db.metric.findMany({ where: { experimentId, kind: "reward-update" }, orderBy: { createdAt: "asc" }, select: { data: true } }),
    db.metric.findMany({ where: { experimentId, kind: "round" }, orderBy: { createdAt: "asc" }, select: { data: true, roundId: true } }),
    db.label.findMany({ where: { pair: { experimentId } }, select: { pairId: true, source: true, choice: true, user: { select: { name: true } } } }),
  ]);

  // --- episodes: return and success with moving averages, downsampled for the browser ---
  const eps = episodeRows.map((r) => ({
    episode: r.episode ?? 0,
    ...(JSON.parse(r.data) as { round: number; return: number; success: boolean; length: number; policyLoss: number | null; epsilon: number }),
  }));
  const returnMA = movingAverage(
    eps.map((e) => e.return),
    MOVING_AVERAGE_WINDOW,
  );
  const successMA = movingAverage(
    eps.map((e) => (e.success ? 1 : 0)),
    MOVING_AVERAGE_WINDOW,
  );
  const firstOfRound = new Map<number, number>();
  for (const e of eps) if (!firstOfRound.has(e.round)) firstOfRound.set(e.round, e.episode);
  const stride = Math.max(1, Math.ceil(eps.length / MAX_EPISODE_POINTS));
  const episodes: EpisodePoint[] = [];
  eps.forEach((e, i) => {
    if (i % stride !== 0 && i !== eps.length - 1) return;
    episodes.push({
      episode: e.episode,
      round: e.round,
      inRound: e.episode - (firstOfRound.get(e.round) ?? 0),
      return: e.return,
      returnMA: round3(returnMA[i]),
      success: e.success ? 1 : 0,
      successMA: round3(successMA[i]),
      length: e.length,
      policyLoss: e.policyLoss,
      epsilon: e.epsilon,
    });
  });

  const rewardUpdates = rewardRows.map((r, i) => {
    const d = JSON.parse(r.data) as { round: number; loss: number; accuracy: number | null };
    return { step: i, round: d.round, loss: d.loss, accuracy: d.accuracy };
  });

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

  // --- labels by source and person; human vs synthetic on pairs both labelled ---
  const bySource = { human: 0, synthetic: 0 };
  const people = new Map<string, { name: string; left: number; right: number; equal: number; skip: number; total: number }>();
  const perPair = new Map<string, { human: (typeof COUNTED_CHOICES)[number][]; synthetic: (typeof COUNTED_CHOICES)[number][] }>();
  for (const l of labels) {
    bySource[l.source]++;
    if (l.source === "human") {
      const name = l.user?.name ?? "(deleted user)";
      const p = people.get(name) ?? { name, left: 0, right: 0, equal: 0, skip: 0, total: 0 };
      p[l.choice]++;
      p.total++;
      people.set(name, p);
    }
    if (l.choice === "skip") continue;
    const entry = perPair.get(l.pairId) ?? { human: [], synthetic: [] };
    entry[l.source].push(l.choice);
    perPair.set(l.pairId, entry);
  }
  const matrix = Object.fromEntries(
    COUNTED_CHOICES.map((h) => [h, Object.fromEntries(COUNTED_CHOICES.map((s) => [s, 0]))]),
  ) as DashboardDto["agreement"]["matrix"];
  let both = 0;
  let compared = 0;
  let agree = 0;
  for (const { human, synthetic } of perPair.values()) {
    if (!human.length || !synthetic.length) continue;
    both++;
    for (const h of human) {
      for (const s of synthetic) {
        compared++;
        if (h === s) agree++;
        matrix[h][s]++;
      }
    }
  }

  return {
    experiment: { id: exp.id, name: exp.name, labellingMode: exp.labellingMode, teacher: config.teacher.kind },
    episodes,
    rewardUpdates,
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
    labels: { bySource, byPerson: [...people.values()].sort((a, b) => b.total - a.total) },
    agreement: { pairs: both, compared, agree, rate: compared ? round3(agree / compared) : null, matrix },
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
