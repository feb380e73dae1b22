// An experiment with a long training history for dashboard tests and benchmarks: `rounds` finished rounds of
// `episodesPerRound` episodes each, written as the round runner writes them (episode, reward-update and round
// metrics and episode buckets, through the same helpers), with numbers from a seeded generator that improve round after round.
// No trajectories or pairs: the dashboard reads metrics and labels only.
//
//   DATABASE_URL=file:/tmp/big.db npx tsx --conditions=react-server scripts/seed-dashboard.ts [rounds] [episodesPerRound]
import { pathToFileURL } from "node:url";
import type { Db } from "../lib/server/db/client";
import { createExperiment } from "../lib/server/experiments/experiments";
import { rewardUpdateMetrics, roundMetric, writeEpisodeMetrics, type RoundRef } from "../lib/server/training/round-metrics";
import { createExperimentSchema } from "../lib/contracts/experiment";
import type { RoundSummary } from "../lib/contracts/dashboard";
import type { EpisodeStep } from "../lib/rl/episode";
import { Rng } from "../lib/rng";

const LAYOUT = "S.......\n.##.....\n.#...#..\n.#.#.#..\n...#....\n.###.##.\n......#.\n.......G";
const CELLS = 64;
const REWARD_STEPS_PER_ROUND = 20;

export async function seedDashboardExperiment(
  db: Db,
  opts: { rounds: number; episodesPerRound: number; name?: string; seed?: number },
): Promise<{ experimentId: string; episodes: number; rewardSteps: number }> {
  const rng = new Rng(opts.seed ?? 1);
  const exp = await createExperiment(
    db,
    createExperimentSchema.parse({
      name: opts.name ?? `Dashboard: ${opts.rounds} rounds x ${opts.episodesPerRound} episodes`,
      preset: "default",
      seed: 1,
      maze: { kind: "text", text: LAYOUT },
      shaping: { mode: "potential", beta: 0.5 },
      teacher: "oracle",
      labellingMode: "synthetic",
      labelsPerPair: 1,
      episodesPerRound: opts.episodesPerRound,
      pairsPerRound: 16,
      pairSelection: "random",
      labelTimeLimitSec: 600,
    }),
  );
  let episode = 0;
  for (let index = 1; index <= opts.rounds; index++) {
    const skill = Math.min(0.95, index / Math.max(1, opts.rounds)); // chance of reaching the goal this round
    const row = await db.trainingRound.create({
      data: {
        experimentId: exp.id,
        index,
        status: "done",
        progress: 1,
        episodesDone: opts.episodesPerRound,
        episodesTotal: opts.episodesPerRound,
        startedAt: new Date(),
        finishedAt: new Date(),
      },
    });
    const ref: RoundRef = { id: row.id, experimentId: exp.id, index };
    const returns: number[] = [];
    const steps: EpisodeStep[] = [];
    for (let i = 0; i < opts.episodesPerRound; i++, episode++) {
      const success = rng.uniform() < skill;
      const length = success ? 14 + rng.int(30) : 100;
      const ret = success ? 10 - 0.01 * length : -0.01 * length;
      returns.push(ret);
      const step = {
        episode,
        epsilon: Math.max(0.05, 1 - episode / 5000),
        trajectory: { return: ret, length, success },
        preferencesAdded: 0,
        reward: null,
        policy: i % 7 === 6 ? null : { loss: 1 / (1 + index) + 0.1 * rng.uniform(), entropy: 1, updates: 1 },
      } as unknown as EpisodeStep; // the metric reads these fields only
      steps.push(step);
    }
    await writeEpisodeMetrics(db, ref, steps);
    const rewardRows = Array.from({ length: REWARD_STEPS_PER_ROUND }, (_, step) => ({
      step,
      loss: 0.7 / (1 + step + index),
      accuracy: Math.min(1, 0.5 + step / 40 + index / 400),
      margin: null,
    }));
    await db.metric.createMany({ data: rewardUpdateMetrics(ref, rewardRows) });
    const summary: RoundSummary = {
      round: index,
      episodes: opts.episodesPerRound,
      meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
      successRate: skill,
      evalSuccess: skill,
      evalMeanLength: 20,
      rewardLoss: rewardRows[rewardRows.length - 1].loss,
      rewardAccuracy: rewardRows[rewardRows.length - 1].accuracy,
      heldOutAccuracy: 0.6 + 0.3 * skill,
      heldOutPairs: 4 * index,
      trainPreferences: 12 * index,
      policyLoss: 0.2,
      spearman: Math.min(1, 0.2 + skill * 0.75),
      pairs: 16,
      labels: { human: 0, synthetic: 16 },
      rewardTable: Array.from({ length: CELLS }, (_, c) => (c / CELLS) * skill - 0.5 * rng.uniform() * (1 - skill)),
    };
    await db.metric.create({ data: roundMetric(ref, summary) });
  }
  return { experimentId: exp.id, episodes: episode, rewardSteps: opts.rounds * REWARD_STEPS_PER_ROUND };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { getDb, closeDb } = await import("../lib/server/db/client");
  const rounds = Number(process.argv[2] ?? 200);
  const perRound = Number(process.argv[3] ?? 100);
  const db = await getDb();
  const t = performance.now();
  const out = await seedDashboardExperiment(db, { rounds, episodesPerRound: perRound });
  console.log(`seeded ${out.episodes} episodes in ${rounds} rounds in ${((performance.now() - t) / 1000).toFixed(1)} s: experiment ${out.experimentId}`);
  await closeDb();
}
