import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "@/lib/rl/backend";
import { presetConfig, type TrainConfig } from "@/lib/rl/config";
import { trainRounds, type RoundSchedule } from "@/lib/rl/train-rounds";
import type { Db } from "@/lib/server/db/client";
import { createHeadlessExperiment, runHeadless } from "@/lib/server/training/headless";
import { BACKENDS, freshDb } from "./backends";

// One training loop: the in-memory round schedule (lib/rl/train-rounds.ts) and the round runner on a
// database (through the trainer CLI's headless runs) give the same numbers for the same config, seed
// and schedule: every episode, every round summary (losses, rewards table, held-out and eval figures).
// Held-out pairs are chosen by what they show, so the split is the same on both paths too.
describe.each(BACKENDS)("one round core, in memory and in the database, on $name", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    await initBackend();
    ({ db, close } = await freshDb(backend));
  });
  afterAll(async () => close());

  const compare = async (config: TrainConfig, schedule: RoundSchedule) => {
    const memory = await trainRounds(config, schedule);
    const id = await createHeadlessExperiment(db, "paths", config, { roundEpisodes: schedule.roundEpisodes, pairsPerRound: schedule.pairsPerRound });
    const exp = await db.experiment.findUniqueOrThrow({ where: { id } });
    const stored = JSON.parse(exp.config);
    stored.studio = { ...stored.studio, pairSelection: schedule.pairSelection, rewardUpdates: schedule.rewardUpdates, heldOutShare: schedule.heldOutShare };
    await db.experiment.update({ where: { id }, data: { config: JSON.stringify(stored) } });

    const summary = await runHeadless(db, id, config.episodes);
    const rounds = await db.metric.findMany({ where: { experimentId: id, kind: "round" }, orderBy: { createdAt: "asc" } });
    const episodes = await db.metric.findMany({ where: { experimentId: id, kind: "episode" }, orderBy: { episode: "asc" } });
    expect(rounds.map((r) => JSON.parse(r.data))).toEqual(memory.rounds);
    expect(episodes.map((m) => ({ episode: m.episode, ...pick(JSON.parse(m.data)) }))).toEqual(memory.episodes);
    expect({ eval: summary.eval_success, len: summary.eval_mean_len, prefs: summary.preferences_used }).toEqual({
      eval: memory.evaluation.success,
      len: Math.round(memory.evaluation.meanLength * 100) / 100,
      prefs: memory.preferences,
    });
    return { memory, id };
  };

  it("default preset, random pairs: same episodes, round summaries and evaluation", async () => {
    const config = { ...presetConfig("default"), seed: 3, episodes: 50, evalEpisodes: 10 };
    const { memory } = await compare(config, { roundEpisodes: 20, pairsPerRound: 10, pairSelection: "random", rewardUpdates: 20, heldOutShare: 0.25 });
    // Rounds of 20, 20 and 10 episodes; the preset's budget of 100 spread over 250 episodes allows 8, 8 and 4 pairs
    // (ceil(100 x 19 / 250), ...); the default preset's table reward model is fitted from the first round's labels.
    expect(memory.rounds.map((r) => [r.episodes, r.pairs])).toEqual([
      [20, 8],
      [20, 8],
      [10, 4],
    ]);
    expect(memory.rounds.every((r) => r.rewardLoss !== null)).toBe(true);
  });

  it("seed preset, pairs where an ensemble disagrees", async () => {
    const config = { ...presetConfig("seed"), seed: 5, episodes: 60, evalEpisodes: 5 };
    const { memory, id } = await compare(config, {
      roundEpisodes: 20,
      pairsPerRound: 24,
      pairSelection: "disagreement",
      rewardUpdates: 10,
      heldOutShare: 0.25,
    });
    expect(memory.rounds).toHaveLength(3);
    // Round 1 has no labels for an ensemble yet (random pairs); the later rounds choose by disagreement.
    expect(await db.pair.count({ where: { experimentId: id, selection: "disagreement" } })).toBe(48);
  });

  it("default preset (table model), pairs where its own ensemble of tables disagrees", async () => {
    const config = { ...presetConfig("default"), seed: 4, episodes: 60, evalEpisodes: 5 };
    const { id } = await compare(config, { roundEpisodes: 20, pairsPerRound: 8, pairSelection: "disagreement", rewardUpdates: 10, heldOutShare: 0.25 });
    expect(await db.pair.count({ where: { experimentId: id, selection: "disagreement" } })).toBe(16);
  });

  it("the same seed and config give the same numbers twice, held-out split included", async () => {
    const config = { ...presetConfig("default"), seed: 11, episodes: 40, evalEpisodes: 10 };
    const once = async () => {
      const id = await createHeadlessExperiment(db, "again", config, { roundEpisodes: 20, pairsPerRound: 12 });
      const summary = await runHeadless(db, id, config.episodes);
      const rounds = await db.metric.findMany({ where: { experimentId: id, kind: "round" }, orderBy: { createdAt: "asc" } });
      return { rounds: rounds.map((r) => JSON.parse(r.data)), eval: summary.eval_success, prefs: summary.preferences_used };
    };
    const first = await once();
    expect(first.rounds.some((r) => r.heldOutPairs > 0)).toBe(true);
    expect(await once()).toEqual(first);
  });
});

const pick = (d: { round: number; return: number; length: number; success: boolean }) => ({
  round: d.round,
  return: d.return,
  length: d.length,
  success: d.success,
});
