import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_EXPERIMENT_INPUT } from "../contracts/experiment";
import { TEACHER_KINDS, TIE_POLICIES } from "../labelers";
import { LayoutError, layoutToText, parseLayout, randomLayout } from "../maze/layout";
import { LABEL_SCHEDULES, PAIRINGS, presetConfig, REWARD_MODEL_KINDS, SHAPING_MODES, trainConfigSchema, withTeacher, type TrainConfig } from "../rl/config";

/** A command-line mistake: the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const TRAIN_USAGE = `Usage: npm run train -- [options]

  --preset seed|default      hyperparameters: the original's (seed) or ours (default)   [default]
  --episodes N               training episodes                                          [500]
  --seed N                   seed of every random choice                                [0]
  --shaping BETA             weight of the learned reward; 0 = sparse reward only       [preset]
  --shaping-mode MODE        additive | potential | advantage                           [preset]
  --teacher KIND             ${TEACHER_KINDS.join(" | ")}   [preset]
  --tie-policy P             ${TIE_POLICIES.join(" | ")}   [preset]
                             (a tie between failures: equal, skip, true maze distance of the end, or how
                             close the end looks ignoring walls, as a person would judge)
  --score sum|mean|end       trajectory score of the reward model (end: table only)     [preset]
  --labels N                 total teacher labels for the whole run, never exceeded     [preset: no limit]
  --label-schedule S         every | spread | adaptive (when to ask, see README)        [preset]
  --pairs-per-query N        pairs shown to the teacher per query                       [preset]
  --pair-selection M         random | latest | disagreement | ends                      [preset]
  --reward-model KIND        mlp | table                                                [preset]
  --self-imitation C         weight of replaying the shortest successes (0 = off)       [preset]
  --mistake-rate P           share of the teacher's answers flipped, 0..1               [teacher's]
  --layout FILE              maze as text: S start, G goal, # wall, . free (max 32x32)  [the 8x8 maze]
  --random-maze RxC          a random solvable maze of that size, seeded by --maze-seed
  --maze-seed N              seed of the random maze                                    [0]
  --wall-density F           share of the random maze's cells that are walls, 0..0.6    [0.25]
  --max-steps N              episode step limit                                         [60]
  --goal-reward R            reward at the goal                                         [10]
  --eval N                   evaluation episodes after training                         [100]
  --backend NAME             auto | tensorflow | wasm | cpu                             [auto]
  --out FILE                 write per-episode curves as JSON
  --rounds                   in memory, in the web app's round schedule (--round-episodes, --pairs-per-round):
                             the numbers of --db with the same flags, without the database

 Against the database (DATABASE_URL, default ./data/oprl.db):
  --db                       store trajectories, pairs, labels, checkpoints and metrics; the run is split
                             into rounds (collect, label pairs, update the reward model and the policy)
  --database-url URL         a database other than DATABASE_URL (implies --db)
  --name NAME                the experiment's name                                      [cli <date>]
  --round-episodes N         episodes per round                                         [25]
  --pairs-per-round N        pairs the teacher labels per round (at most: a label budget [10]
                             with the spread schedule is spread over the first 250 episodes)
  --resume ID                continue experiment ID from its last checkpoint until --episodes are done
  --no-progress              no progress bar (it is shown only on a terminal anyway)
  -h, --help                 this text

Prints one JSON line with the run's summary on stdout.`;

const int = (min: number) => z.coerce.number().int().min(min);
const flagSchemas = {
  preset: z.enum(["seed", "default"]),
  episodes: int(1).max(100_000),
  seed: int(0),
  shaping: z.coerce.number().min(0).max(100),
  "shaping-mode": z.enum(SHAPING_MODES),
  teacher: z.enum(TEACHER_KINDS),
  "tie-policy": z.enum(TIE_POLICIES),
  score: z.enum(["sum", "mean", "end"]),
  labels: int(0).max(1_000_000),
  "label-schedule": z.enum(LABEL_SCHEDULES),
  "pairs-per-query": int(1).max(1000),
  "pair-selection": z.enum(PAIRINGS),
  "reward-model": z.enum(REWARD_MODEL_KINDS),
  "self-imitation": z.coerce.number().min(0).max(100),
  "mistake-rate": z.coerce.number().min(0).max(1),
  "maze-seed": int(0),
  "wall-density": z.coerce.number().min(0).max(0.6),
  "max-steps": int(1).max(10_000),
  "goal-reward": z.coerce.number().positive(),
  eval: int(0).max(10_000),
  backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]),
  "random-maze": z.string().regex(/^\d+x\d+$/, "expected RxC, e.g. 12x12"),
  "database-url": z.string().regex(/^(file:|postgres(ql)?:\/\/)/, "expected file:PATH or postgresql://..."),
  name: z.string().trim().min(1).max(80),
  "round-episodes": int(1).max(5000),
  "pairs-per-round": int(1).max(500),
  resume: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not an experiment id"),
} as const;

/** Flags that shape a new run's config: meaningless with --resume, where the experiment keeps its own. */
const CONFIG_FLAGS = [
  "preset",
  "seed",
  "shaping",
  "shaping-mode",
  "teacher",
  "tie-policy",
  "score",
  "labels",
  "label-schedule",
  "pairs-per-query",
  "pair-selection",
  "reward-model",
  "self-imitation",
  "mistake-rate",
  "layout",
  "random-maze",
  "max-steps",
  "goal-reward",
  "name",
  "round-episodes",
  "pairs-per-round",
];

export interface DatabaseArgs {
  /** null: DATABASE_URL (or the default SQLite file). */
  url: string | null;
  name: string | null;
  roundEpisodes: number;
  pairsPerRound: number;
  resume: string | null;
}

/** The in-memory run in the round schedule (--rounds). */
export interface RoundsArgs {
  roundEpisodes: number;
  pairsPerRound: number;
}

export interface TrainArgs {
  config: TrainConfig;
  rounds: RoundsArgs | null;
  /** Set when the run goes through the database. */
  db: DatabaseArgs | null;
  backend: "auto" | "tensorflow" | "wasm" | "cpu";
  out: string | null;
  progress: boolean;
  help: boolean;
}

function value<K extends keyof typeof flagSchemas>(name: K, raw: string | undefined): z.infer<(typeof flagSchemas)[K]> | undefined {
  if (raw === undefined) return undefined;
  const parsed = flagSchemas[name].safeParse(raw);
  if (!parsed.success) throw new UsageError(`--${name} ${JSON.stringify(raw)}: ${parsed.error.issues[0].message}`);
  return parsed.data as z.infer<(typeof flagSchemas)[K]>;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(flagSchemas).map((k) => [k, { type: "string" as const }])),
        layout: { type: "string" },
        out: { type: "string" },
        db: { type: "boolean" },
        rounds: { type: "boolean" },
        "no-progress": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    // node's messages name the flag: "Unknown option '--foo'", "Option '--seed <value>' argument missing".
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const str = (k: string) => v[k] as string | undefined;
  const help = Boolean(v.help);

  let config = presetConfig(value("preset", str("preset")) ?? "default");
  const teacher = value("teacher", str("teacher"));
  if (teacher) config = withTeacher(config, teacher);
  const set = <T>(x: T | undefined, apply: (x: T) => void) => x !== undefined && apply(x);
  set(value("episodes", str("episodes")), (x) => (config.episodes = x));
  set(value("seed", str("seed")), (x) => (config.seed = x));
  set(value("shaping", str("shaping")), (x) => (config.shaping.beta = x));
  set(value("shaping-mode", str("shaping-mode")), (x) => (config.shaping.mode = x));
  set(value("tie-policy", str("tie-policy")), (x) => (config.teacher.tiePolicy = x));
  set(value("score", str("score")), (x) => (config.rewardModel.score = x));
  set(value("labels", str("labels")), (x) => (config.preferences.budget = x));
  set(value("label-schedule", str("label-schedule")), (x) => (config.preferences.schedule = x));
  set(value("pairs-per-query", str("pairs-per-query")), (x) => (config.preferences.perQuery = x));
  set(value("pair-selection", str("pair-selection")), (x) => (config.preferences.pairing = x));
  set(value("reward-model", str("reward-model")), (x) => (config.rewardModel.kind = x));
  set(value("self-imitation", str("self-imitation")), (x) => (config.policy.selfImitation.coef = x));
  set(value("mistake-rate", str("mistake-rate")), (x) => (config.teacher.epsMistake = x));
  set(value("max-steps", str("max-steps")), (x) => (config.env.maxSteps = x));
  set(value("goal-reward", str("goal-reward")), (x) => (config.env.goalReward = x));
  set(value("eval", str("eval")), (x) => (config.evalEpisodes = x));

  const layoutFile = str("layout");
  const randomMaze = value("random-maze", str("random-maze"));
  if (layoutFile && randomMaze) throw new UsageError("--layout and --random-maze cannot be used together");
  if (layoutFile) config.env.layout = readLayout(layoutFile);
  if (randomMaze) {
    const [rows, cols] = randomMaze.split("x").map(Number);
    try {
      const seed = value("maze-seed", str("maze-seed")) ?? 0;
      const wallDensity = value("wall-density", str("wall-density"));
      config.env.layout = layoutToText(randomLayout({ rows, cols, seed, wallDensity }));
    } catch (err) {
      throw new UsageError(`--random-maze ${randomMaze}: ${(err as Error).message}`);
    }
  } else if (str("maze-seed") !== undefined || str("wall-density") !== undefined) {
    throw new UsageError(`--${str("maze-seed") !== undefined ? "maze-seed" : "wall-density"} needs --random-maze`);
  }
  const resume = value("resume", str("resume")) ?? null;
  const url = value("database-url", str("database-url")) ?? null;
  const dbMode = Boolean(v.db) || url !== null || resume !== null;
  if (resume) {
    const clash = CONFIG_FLAGS.find((f) => v[f] !== undefined);
    if (clash) throw new UsageError(`--${clash} cannot be combined with --resume: the experiment keeps the config it was created with`);
  }
  const roundsMode = Boolean(v.rounds);
  if (roundsMode && dbMode) throw new UsageError("--rounds is the in-memory form of --db: use one of them");
  if (!dbMode) {
    const dbOnly = ["name", ...(roundsMode ? [] : ["round-episodes", "pairs-per-round"])].find((f) => v[f] !== undefined);
    if (dbOnly) throw new UsageError(`--${dbOnly} needs --db${dbOnly === "name" ? "" : " or --rounds"}`);
  }
  if (config.rewardModel.score === "end" && config.rewardModel.kind !== "table") {
    throw new UsageError("--score end needs --reward-model table (the network scores steps, not where a run ended)");
  }
  if (config.preferences.schedule === "spread" && config.preferences.budget === null) {
    throw new UsageError("--label-schedule spread needs --labels N (there is no budget to spread)");
  }
  // The web app's defaults for a new experiment, so --db and --rounds run what the web runs.
  const roundEpisodes = value("round-episodes", str("round-episodes")) ?? DEFAULT_EXPERIMENT_INPUT.episodesPerRound;
  const pairsPerRound = value("pairs-per-round", str("pairs-per-round")) ?? DEFAULT_EXPERIMENT_INPUT.pairsPerRound;
  return {
    config: trainConfigSchema.parse(config),
    rounds: roundsMode ? { roundEpisodes, pairsPerRound } : null,
    db: dbMode ? { url, name: value("name", str("name")) ?? null, roundEpisodes, pairsPerRound, resume } : null,
    backend: value("backend", str("backend")) ?? "auto",
    out: str("out") ?? null,
    progress: !v["no-progress"],
    help,
  };
}

function readLayout(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--layout ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return layoutToText(parseLayout(text));
  } catch (err) {
    if (err instanceof LayoutError) throw new UsageError(`--layout ${file}: ${err.message}`);
    throw err;
  }
}
