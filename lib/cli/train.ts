import { writeFileSync } from "node:fs";
import { SingleBar, Presets } from "cli-progress";
import { train, type EpisodeMetrics } from "../rl/train";
import { parseTrainArgs, TRAIN_USAGE, UsageError } from "./args";

// npm run train -- --preset default --episodes 500 --seed 0 ...: one headless OPRL run, summary as a JSON line.
async function main(): Promise<number> {
  let args;
  try {
    args = parseTrainArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`train: ${err.message}\n\n${TRAIN_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  const { config } = args;
  const bar =
    args.progress && process.stderr.isTTY
      ? new SingleBar(
          { format: "episode {value}/{total} |{bar}| success(last 20) {success} | rm loss {rmLoss} | policy loss {pLoss} | {eta_formatted} left", stream: process.stderr },
          Presets.shades_classic,
        )
      : null;
  const curves: EpisodeMetrics[] = [];
  const recent: boolean[] = [];
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "-" : x.toFixed(3));
  let lastRm: number | null = null;
  let lastPolicy: number | null = null;
  bar?.start(config.episodes, 0, { success: "-", rmLoss: "-", pLoss: "-" });
  const { summary, agent } = await train(config, {
    backend: args.backend,
    log: (line) => process.stderr.write(`${line}\n`),
    onEpisode: (m) => {
      curves.push(m);
      recent.push(m.success);
      if (recent.length > 20) recent.shift();
      lastRm = m.rewardLoss ?? lastRm;
      lastPolicy = m.policyLoss ?? lastPolicy;
      bar?.update(m.episode + 1, {
        success: (recent.filter(Boolean).length / recent.length).toFixed(2),
        rmLoss: fmt(lastRm),
        pLoss: fmt(lastPolicy),
      });
    },
  });
  bar?.stop();
  if (args.out) {
    writeFileSync(args.out, JSON.stringify({ summary, config, episodes: curves }, null, 1));
  }
  agent.dispose();
  // maxRSS is in KiB: the whole process's peak, the figure the memory target is about.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...summary, peak_rss_mb: peakRssMb })}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`train: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
