// What the label path needs of an experiment on every request: its name, its labelling mode, its maze and its
// gold-pair rate. Read once and kept per process for a few seconds: the maze and the rate never change after creation
// (the config is fixed); the name and the mode can be edited, so an entry is read again after FACTS_TTL_MS, and the
// process that edits an experiment forgets its entry at once (another instance sees the edit within FACTS_TTL_MS).
// Recording a label always reads the mode afresh. Bounded, so many experiments cannot grow it.
import "server-only";
import type { DbOrTx } from "../db/client";
import { AppError } from "../errors";
import { parseStoredConfig } from "../experiments/config";
import type { MazeDto } from "../../contracts/label";
import type { LabellingMode } from "../../contracts/words";

export type ExperimentFacts = { name: string; labellingMode: LabellingMode; maze: MazeDto; goldRate: number };

export const FACTS_TTL_MS = 5000;
const MAX_ENTRIES = 1000;
const cache = new Map<string, { facts: ExperimentFacts; readAt: number }>();

/** The experiment's facts (NOT_FOUND when there is no such experiment). */
export async function experimentFacts(db: DbOrTx, experimentId: string, now = Date.now()): Promise<ExperimentFacts> {
  const hit = cache.get(experimentId);
  if (hit && now - hit.readAt < FACTS_TTL_MS) return hit.facts;
  const exp = await db.experiment.findUnique({ where: { id: experimentId }, select: { name: true, labellingMode: true, config: true } });
  if (!exp) {
    cache.delete(experimentId);
    throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  }
  // The config is parsed when the maze or the rate is first asked for: leasing a pair needs neither.
  let fromConfig: { maze: MazeDto; goldRate: number } | undefined;
  const configFacts = () => {
    if (fromConfig) return fromConfig;
    const config = parseStoredConfig(exp.config);
    const text = config.env.layout;
    const lines = text.split("\n");
    return (fromConfig = { maze: { text, rows: lines.length, cols: lines[0].length }, goldRate: config.studio.goldRate });
  };
  const facts: ExperimentFacts = {
    name: exp.name,
    labellingMode: exp.labellingMode,
    get maze() {
      return configFacts().maze;
    },
    get goldRate() {
      return configFacts().goldRate;
    },
  };
  cache.delete(experimentId);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(experimentId, { facts, readAt: now });
  return facts;
}

/** Forgets the kept facts of an experiment (after an edit in this process). */
export function forgetExperimentFacts(experimentId: string): void {
  cache.delete(experimentId);
}
