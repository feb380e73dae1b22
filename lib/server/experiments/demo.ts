// First start: an empty database gets a demo experiment with trajectories, pairs open for labelling and a
// queued first round, so /label and the dashboards show something at once. Idempotent across processes:
// the demo has a fixed id, so a second process racing to create it fails its insert and moves on.
import "server-only";
import { randomUUID } from "node:crypto";
import { makeTeacher } from "../../labelers";
import { MazeEnv, NUM_ACTIONS, transitionTable } from "../../maze/env";
import { parseLayout, DEFAULT_LAYOUT_TEXT } from "../../maze/layout";
import { distancesToGoal } from "../../maze/truth";
import { Rng } from "../../rng";
import { rollout } from "../../rl/rollout";
import type { Trajectory } from "../../rl/trajectory";
import { encodeSteps } from "../db/codec";
import { recordLabel } from "../labelling/queue";
import { withRetry } from "../db/errors";
import type { Db } from "../db/client";
import { resolveConfig } from "./config";
import { DEFAULT_EXPERIMENT_INPUT } from "../../contracts/experiment";

export const DEMO_EXPERIMENT_ID = "demo";
const DEMO_EPISODES = 48;
const DEMO_PAIRS = 36;

/**
 * Episodes of a scripted walker of varying skill: with chance `skill` a step that shortens the distance to
 * the goal, else a random one. Real episodes of the real maze, in every quality from aimless to direct.
 */
export function scriptedEpisodes(layoutText: string, count: number, seed: number, maxSteps = 60, goalReward = 10): Trajectory[] {
  const layout = parseLayout(layoutText);
  const env = new MazeEnv(layout, { maxSteps, goalReward });
  const dist = distancesToGoal(layout);
  const next = transitionTable(layout);
  const rng = new Rng(`demo:${seed}`);
  const out: Trajectory[] = [];
  for (let e = 0; e < count; e++) {
    const skill = 0.25 + 0.7 * rng.uniform();
    out.push(
      rollout(env, (cell) => {
        const better = Array.from({ length: NUM_ACTIONS }, (_, a) => a).filter((a) => dist[next[cell * NUM_ACTIONS + a]] < dist[cell]);
        return better.length && rng.uniform() < skill ? rng.choice(better) : rng.int(NUM_ACTIONS);
      }),
    );
  }
  return out;
}

/** Creates the demo when the database has no experiment; returns whether it did. */
export async function ensureDemo(db: Db): Promise<boolean> {
  if ((await db.experiment.count()) > 0) return false;
  const config = resolveConfig({
    ...DEFAULT_EXPERIMENT_INPUT,
    name: "Demo: 8x8 maze, oracle teacher",
    maze: { kind: "text", text: DEFAULT_LAYOUT_TEXT },
    labellingMode: "mixed",
    // Long enough that the first round (run at first start, a few seconds) ends with a policy that reaches the goal.
    episodesPerRound: 300,
    // The teacher takes any pair nobody is holding at once, so that first round does not wait for people.
    teacherAfterSec: 0,
  });
  const episodes = scriptedEpisodes(config.env.layout, DEMO_EPISODES, config.seed, config.env.maxSteps, config.env.goalReward);
  const layout = parseLayout(config.env.layout);
  const teacher = makeTeacher(config.teacher, { goalReward: config.env.goalReward, distances: distancesToGoal(layout) });
  const rng = new Rng("demo:pairs");
  const ids = episodes.map(() => randomUUID());
  const pairs: { id: string; left: number; right: number; priority: number }[] = [];
  const seen = new Set<string>();
  while (pairs.length < DEMO_PAIRS) {
    const [l, r] = rng.sample(
      ids.map((_, i) => i),
      2,
    );
    const key = `${Math.min(l, r)}:${Math.max(l, r)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ id: randomUUID(), left: l, right: r, priority: rng.uniform() });
  }
  try {
    await withRetry(() =>
      db.$transaction(async (tx) => {
        await tx.experiment.create({
          data: {
            id: DEMO_EXPERIMENT_ID,
            name: "Demo: 8x8 maze, oracle teacher",
            config: JSON.stringify(config),
            labellingMode: "mixed",
            labelsPerPair: 1,
            status: "active",
            // Every demo pair below starts open (lib/server/labelling/counters.ts keeps this from now on).
            openPairs: pairs.length,
          },
        });
        await tx.trajectory.createMany({
          data: episodes.map((t, i) => {
            const enc = encodeSteps({ actions: Array.from(t.actions), cells: Array.from(t.cells), rewards: Array.from(t.rewards) });
            return { id: ids[i], experimentId: DEMO_EXPERIMENT_ID, round: 0, policyVersion: 0, ...enc, return: t.return, success: t.success };
          }),
        });
        await tx.pair.createMany({
          data: pairs.map((p) => ({
            id: p.id,
            experimentId: DEMO_EXPERIMENT_ID,
            leftId: ids[p.left],
            rightId: ids[p.right],
            selection: "random",
            priority: p.priority,
            labelsWanted: 2,
          })),
        });
        await tx.trainingRound.create({ data: { experimentId: DEMO_EXPERIMENT_ID, index: 1, episodesTotal: config.episodes } });
      }),
    );
  } catch (err) {
    // Another process created it first.
    if ((await db.experiment.findUnique({ where: { id: DEMO_EXPERIMENT_ID } })) !== null) return false;
    throw err;
  }
  // Mixed mode: the teacher takes one slot of each pair now, a person the other.
  for (const p of pairs) {
    const choice = teacher.judge(episodes[p.left], episodes[p.right], rng);
    await recordLabel(db, { labelId: randomUUID(), pairId: p.id, experimentId: DEMO_EXPERIMENT_ID, source: "synthetic", teacher: config.teacher.kind, choice });
  }
  return true;
}

let once: Promise<boolean> | null = null;
/** ensureDemo at most once per process (the web server calls it on its first reads). */
export function ensureDemoOnce(db: Db): Promise<boolean> {
  once ??= ensureDemo(db).catch((err) => {
    once = null;
    throw err;
  });
  return once;
}
