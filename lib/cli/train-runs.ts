// The three ways a training run goes (in memory, in the round schedule in memory, rounds in the database),
// each returning the summary the CLI prints as its JSON line. Shared by `npm run train` and `npm run bench:labels`.
import { writeFileSync } from "node:fs";
import { SingleBar, Presets } from "cli-progress";
import { initBackend } from "../rl/backend";
import { roundedSpearman, train, type EpisodeMetrics, type RunSummary } from "../rl/train";
import { trainRounds } from "../rl/train-rounds";
import { roundSettingsSchema } from "../contracts/experiment";
import { UsageError, type TrainArgs, type DatabaseArgs, type RoundsArgs } from "./args";

/** Runs what the parsed flags ask for. */
export function runTraining(args: TrainArgs): Promise<RunSummary> {
  return args.db ? trainWithDatabase(args, args.db) : args.rounds ? trainInMemoryRounds(args, args.rounds) : trainInMemory(args);
}

function progressBar(enabled: boolean, format: string): SingleBar | null {
  return enabled && process.stderr.isTTY ? new SingleBar({ format, stream: process.stderr }, Presets.shades_classic) : null;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The online loop of lib/rl/train.ts, nothing stored but the optional curves file. */
async function trainInMemory(args: TrainArgs) {
  const { config } = args;
  // Chosen (and logged) before the bar starts drawing.
  await initBackend(args.backend, log);
  const bar = progressBar(
    args.progress,
    "episode {value}/{total} |{bar}| success(last 20) {success} | rm loss {rmLoss} | policy loss {pLoss} | {eta_formatted} left",
  );
  const curves: EpisodeMetrics[] = [];
  const recent: boolean[] = [];
  const fmt = (x: number | null) => (x === null ? "-" : x.toFixed(3));
  let lastRm: number | null = null;
  let lastPolicy: number | null = null;
  bar?.start(config.episodes, 0, { success: "-", rmLoss: "-", pLoss: "-" });
  const { summary, agent } = await train(config, {
    backend: args.backend,
    log,
    onEpisode: (m) => {
      curves.push(m);
      recent.push(m.success);
      if (recent.length > 20) recent.shift();
      lastRm = m.rewardLoss ?? lastRm;
      lastPolicy = m.policyLoss ?? lastPolicy;
      bar?.update(m.episode + 1, { success: (recent.filter(Boolean).length / recent.length).toFixed(2), rmLoss: fmt(lastRm), pLoss: fmt(lastPolicy) });
    },
  });
  bar?.stop();
  agent.dispose();
  if (args.out) writeFileSync(args.out, JSON.stringify({ summary, config, episodes: curves }, null, 1));
  return summary;
}

/** The round schedule of --db (lib/rl/train-rounds.ts), in memory: same flags, same numbers, nothing stored. */
async function trainInMemoryRounds(args: TrainArgs, rounds: RoundsArgs): Promise<RunSummary & { rounds: number }> {
  const { config } = args;
  await initBackend(args.backend, log);
  // The settings a --db run stores with its experiment (lib/server/training/headless.ts).
  const studio = roundSettingsSchema.parse({ pairsPerRound: rounds.pairsPerRound, pairSelection: "random", labelTimeLimitSec: 60 });
  const bar = progressBar(args.progress, "round {value}/{total} |{bar}| eval success {evalSuccess} | {eta_formatted} left");
  bar?.start(Math.ceil(config.episodes / rounds.roundEpisodes), 0, { evalSuccess: "-" });
  const started = performance.now();
  const result = await trainRounds(
    config,
    {
      roundEpisodes: rounds.roundEpisodes,
      pairsPerRound: studio.pairsPerRound,
      pairSelection: studio.pairSelection,
      rewardUpdates: studio.rewardUpdates,
      heldOutShare: studio.heldOutShare,
    },
    { backend: args.backend, log: bar ? () => {} : log, onRound: (r) => bar?.update(r.round, { evalSuccess: r.evalSuccess.toFixed(2) }) },
  );
  bar?.stop();
  const successes = result.episodes.map((e) => e.success);
  const firstSuccess = successes.indexOf(true);
  const last100 = successes.slice(-100);
  if (args.out) writeFileSync(args.out, JSON.stringify({ rounds: result.rounds, config, episodes: result.episodes }, null, 1));
  return {
    rounds: result.rounds.length,
    episodes: successes.length,
    backend: result.backend,
    train_seconds: Math.round(performance.now() - started) / 1000,
    env_steps: result.episodes.reduce((n, e) => n + e.length, 0),
    first_success_episode: firstSuccess >= 0 ? firstSuccess : null,
    train_success_last100: last100.length ? last100.filter(Boolean).length / last100.length : 0,
    eval_success: result.evaluation.success,
    eval_mean_len: Math.round(result.evaluation.meanLength * 100) / 100,
    preferences_used: result.preferences,
    reward_spearman: roundedSpearman(result.rounds.at(-1)?.spearman),
  };
}

/** Rounds stored in the database (lib/server/training/headless.ts); Ctrl-C stops at the next flush, resumable. */
async function trainWithDatabase(args: TrainArgs, db: DatabaseArgs) {
  if (args.backend !== "auto") throw new UsageError("--backend is not supported with --db (the worker picks the backend)");
  if (db.url) process.env.DATABASE_URL = db.url;
  const [{ getDb, closeDb }, headless] = await Promise.all([import("../server/db/client"), import("../server/training/headless")]);
  const client = await getDb();
  const experimentId =
    db.resume ??
    (await headless.createHeadlessExperiment(client, db.name ?? `cli ${new Date().toISOString().slice(0, 16).replace("T", " ")}`, args.config, {
      roundEpisodes: db.roundEpisodes,
      pairsPerRound: db.pairsPerRound,
    }));
  log(`experiment ${experimentId}${db.resume ? " (resumed)" : ""}: resume with --resume ${experimentId}`);
  const abort = new AbortController();
  process.once("SIGINT", () => {
    log("stopping after the current flush; resume with --resume " + experimentId);
    abort.abort();
  });
  const bar = progressBar(args.progress, "episode {value}/{total} |{bar}| round {round} {phase} | {eta_formatted} left");
  bar?.start(args.config.episodes, 0, { round: "-", phase: "" });
  try {
    const summary = await headless.runHeadless(client, experimentId, args.config.episodes, {
      log: bar ? () => {} : log,
      signal: abort.signal,
      onProgress: (p) => bar?.update(Math.min(p.episodesDone, p.episodesTotal), { round: p.round, phase: p.phase }),
    });
    bar?.stop();
    if (args.out) {
      const metrics = await client.metric.findMany({ where: { experimentId, kind: "episode" }, orderBy: { episode: "asc" } });
      writeFileSync(args.out, JSON.stringify({ summary, episodes: metrics.map((m) => ({ episode: m.episode, ...JSON.parse(m.data) })) }, null, 1));
    }
    return summary;
  } finally {
    bar?.stop();
    await closeDb();
  }
}
