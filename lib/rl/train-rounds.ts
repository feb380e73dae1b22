// The web app's round schedule, in memory: the run's episodes split into rounds, each one runRound (round.ts)
// with the synthetic teacher labelling the round's pairs at once. Between rounds what a checkpoint holds
// carries over (weights and the learner state: optimiser moments, self-imitation memory, latest episodes,
// transitions seen), and each round draws from its own generator, as the round runner does, so this and
// `npm run train -- --db` (same config, seed and schedule) give the same numbers.
import { choiceToLabel } from "../labelers";
import { Rng } from "../rng";
import { OprlAgent, type LearnerState } from "./agent";
import { initBackend, type BackendChoice, type BackendName } from "./backend";
import type { TrainConfig } from "./config";
import { evaluate, type EvalResult } from "./episode";
import type { Preference } from "./preferences";
import { roundStrategies, runRound, summarizeRound, type PAIR_SELECTORS, type RoundIo, type RoundSummary } from "./round";
import { isHeldOut } from "./stats";

export interface RoundSchedule {
  /** Episodes per round (the last round takes what is left of `config.episodes`). */
  roundEpisodes: number;
  pairsPerRound: number;
  pairSelection: keyof typeof PAIR_SELECTORS;
  rewardUpdates: number;
  /** Share of labelled pairs held out, by a hash of the pair id. */
  heldOutShare: number;
}

export interface EpisodeRecord {
  episode: number;
  round: number;
  return: number;
  length: number;
  success: boolean;
}

export interface RoundsResult {
  rounds: RoundSummary[];
  episodes: EpisodeRecord[];
  /** The final weights evaluated as the database run reports them: a fresh generator, `config.evalEpisodes` episodes. */
  evaluation: EvalResult;
  backend: BackendName;
  preferences: number;
}

/** What a checkpoint carries from one round to the next. */
interface Carried {
  policy: Float32Array[];
  reward: Float32Array[];
  learner: LearnerState;
}

async function agentFrom(config: TrainConfig, rng: Rng, carried: Carried | null): Promise<OprlAgent> {
  const agent = new OprlAgent(config, rng);
  if (carried) {
    agent.policy.setWeights(carried.policy);
    agent.setRewardWeights(carried.reward);
    await agent.setLearnerState(carried.learner);
  }
  return agent;
}

export async function trainRounds(
  config: TrainConfig,
  schedule: RoundSchedule,
  hooks: { backend?: BackendChoice; log?: (line: string) => void; onRound?: (s: RoundSummary) => void; signal?: AbortSignal } = {},
): Promise<RoundsResult> {
  const backend = await initBackend(hooks.backend ?? "auto", hooks.log);
  const rounds: RoundSummary[] = [];
  const episodes: EpisodeRecord[] = [];
  // Every label of the run, in the order it was given.
  const labelled: Preference[] = [];
  const split = () => {
    const train: Preference[] = [];
    const heldOut: Preference[] = [];
    for (const p of labelled) (isHeldOut(p.left, p.right, schedule.heldOutShare) ? heldOut : train).push(p);
    return { train, heldOut };
  };
  let weights: Carried | null = null;
  let base = 0;
  for (let index = 1; base < config.episodes && !hooks.signal?.aborted; index++) {
    const agent = await agentFrom(config, new Rng(`${config.seed}:round:${index}:0`), weights);
    const total = Math.min(schedule.roundEpisodes, config.episodes - base);
    const pairs = new Map<string, { left: string; right: string }>();
    const pool = new Map<string, OprlAgent["trajectories"]["items"][number]>();
    let synthetic = 0;
    const io: RoundIo = {
      shouldStop: () => null,
      enter: async () => {},
      episode: async (step, done) => {
        const id = `${index}:e${done}`;
        pool.set(id, step.trajectory);
        const t = step.trajectory;
        episodes.push({ episode: step.episode, round: index, return: t.return, length: t.length, success: t.success });
        return id;
      },
      collected: async () => {},
      labelled: async () => split().train,
      labelCount: async () => labelled.length,
      storePairs: async (planned) =>
        planned.map((p, k) => {
          const id = `${index}:p${k}`;
          pairs.set(id, { left: p.left.id, right: p.right.id });
          return id;
        }),
      labels: async (pairIds) => {
        for (const id of pairIds) {
          const p = pairs.get(id)!;
          const left = pool.get(p.left)!;
          const right = pool.get(p.right)!;
          const label = choiceToLabel(agent.teacher.judge(left, right, agent.rng));
          synthetic++;
          if (label !== null) labelled.push({ left, right, label });
        }
        return split();
      },
      note: (text) => hooks.log?.(`round ${index}: ${text}`),
    };
    try {
      const plan = { index, baseEpisodes: base, episodesTotal: total, episodesDone: 0, pool: [] };
      const settings = {
        pairsPerRound: schedule.pairsPerRound,
        labelBudget: config.preferences.budget,
        labelsPerPair: 1,
        rewardUpdates: schedule.rewardUpdates,
        evalEpisodes: config.evalEpisodes,
      };
      const result = await runRound(agent, plan, settings, roundStrategies(schedule.pairSelection, config.rewardModel.kind), io);
      if (typeof result === "string") break;
      const summary = summarizeRound(agent, index, result, { human: 0, synthetic });
      rounds.push(summary);
      hooks.onRound?.(summary);
      weights = {
        policy: agent.policy.getWeights().map((w) => w.slice()),
        reward: agent.rewardWeights().map((w) => w.slice()),
        learner: await agent.learnerState(),
      };
      base += result.episodesDone;
    } finally {
      agent.dispose();
    }
  }
  const finalAgent = await agentFrom(config, new Rng(`${config.seed}:eval`), weights);
  try {
    return { rounds, episodes, evaluation: evaluate(finalAgent, config.evalEpisodes), backend, preferences: labelled.length };
  } finally {
    finalAgent.dispose();
  }
}
