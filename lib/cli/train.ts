import { parseTrainArgs, TRAIN_USAGE, UsageError, type TrainArgs } from "./args";
import { runTraining } from "./train-runs";

// npm run train -- --preset default --episodes 500 --seed 0 ...: one headless OPRL run, summary as a JSON line.
async function main(): Promise<number> {
  let args: TrainArgs;
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
  const summary = await runTraining(args);
  // maxRSS is in KiB: the whole process's peak, the figure the memory target is about.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...summary, peak_rss_mb: peakRssMb })}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`train: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`train: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
