// Experiments: create, list, read, change mode. Routes get DTOs from here, never ORM rows.
import "server-only";
import { z } from "zod";
import { getConfig } from "../../config";
import { TX_OPTIONS, type Db, type DbOrTx } from "../db/client";
import { withRetry } from "../db/errors";
import { assertQuota } from "../auth/quota";
import { AppError, parseInput } from "../errors";
import { parseStoredConfig, resolveConfig } from "./config";
import { roundDto } from "../training/rounds";
import { idSchema } from "../../contracts/ids";
import { EXPERIMENT_STATUSES, LABELLING_MODES } from "../../contracts/words";
import type { CreateExperimentInput, ExperimentDto, ExperimentSummaryDto, UpdateExperimentInput } from "../../contracts/experiment";
import { forgetExperimentFacts } from "../labelling/experiment-facts";
import type { Experiment, TrainingRound } from "../../../generated/sqlite/client";

/** The list shows the newest experiments, at most this many. */
const LIST_LIMIT = 200;

const insertExperimentSchema = z.object({
  name: z.string().trim().min(1, "name is empty").max(120),
  /** The resolved engine config (maze layout text, seed, ...): any JSON object. */
  config: z.record(z.string(), z.unknown()),
  labellingMode: z.enum(LABELLING_MODES).default("human"),
  labelsPerPair: z.number().int().min(1).max(20).default(1),
  status: z.enum(EXPERIMENT_STATUSES).default("draft"),
  createdById: idSchema.nullable().default(null),
});

/** Stores an experiment with an already resolved config (the CLI, tests, importers); the form goes through createExperiment. */
export async function insertExperiment(db: DbOrTx, input: z.input<typeof insertExperimentSchema>) {
  const data = parseInput(insertExperimentSchema, input, "experiment");
  return db.experiment.create({ data: { ...data, config: JSON.stringify(data.config) } });
}

/** The experiment with its config parsed back from JSON text (any config, not only a studio one). */
export async function getExperiment(db: DbOrTx, experimentId: string) {
  const experiment = await db.experiment.findUnique({ where: { id: parseInput(idSchema, experimentId, "experiment id") } });
  if (!experiment) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  return { ...experiment, config: JSON.parse(experiment.config) as Record<string, unknown> };
}

export async function getExperimentOrThrow(db: DbOrTx, id: string): Promise<Experiment> {
  const exp = await db.experiment.findUnique({ where: { id } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${id} not found`);
  return exp;
}

/**
 * An experiment from the form's fields: the preset resolved into the full engine config, active at once. Made by
 * `creatorId` (a web account), it counts against that account's quota (EXPERIMENTS_PER_USER in all,
 * EXPERIMENTS_PER_MINUTE a minute): past it, a 429 and nothing written.
 */
export async function createExperiment(db: Db, input: CreateExperimentInput, creatorId: string | null = null): Promise<ExperimentDto> {
  const config = resolveConfig(input);
  const { EXPERIMENTS_PER_USER, EXPERIMENTS_PER_MINUTE } = getConfig();
  const exp = await withRetry(() =>
    db.$transaction(
      async (tx) => {
        if (creatorId) {
          await assertQuota({
            what: "experiments",
            total: { limit: EXPERIMENTS_PER_USER, count: () => tx.experiment.count({ where: { createdById: creatorId } }) },
            perMinute: {
              limit: EXPERIMENTS_PER_MINUTE,
              count: (since) => tx.experiment.count({ where: { createdById: creatorId, createdAt: { gte: since } } }),
            },
          });
        }
        return insertExperiment(tx, {
          name: input.name,
          config,
          labellingMode: input.labellingMode,
          labelsPerPair: input.labelsPerPair,
          status: "active",
          createdById: creatorId,
        });
      },
      { ...TX_OPTIONS, isolationLevel: "Serializable" },
    ),
  );
  return getExperimentDto(db, exp.id);
}

/** The newest experiments with their counts: one query for the counts of all of them, one for their latest rounds. */
export async function listExperiments(db: DbOrTx): Promise<ExperimentSummaryDto[]> {
  const counts = await countsOf(db, { limit: LIST_LIMIT });
  const ids = counts.map((c) => c.id);
  const rows = await db.experiment.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const latest = await latestRounds(db, ids);
  const out: ExperimentSummaryDto[] = [];
  for (const c of counts) {
    const row = byId.get(c.id);
    if (row) out.push(await summarise(db, row, c, latest.get(c.id) ?? null));
  }
  return out;
}

export async function getExperimentDto(db: DbOrTx, id: string): Promise<ExperimentDto> {
  const exp = await getExperimentOrThrow(db, id);
  const [counts] = await countsOf(db, { only: id });
  const latest = await latestRounds(db, [id]);
  const summary = await summarise(db, exp, counts, latest.get(id) ?? null);
  const config = parseStoredConfig(exp.config);
  return {
    ...summary,
    config: {
      seed: config.seed,
      shaping: config.shaping,
      episodesPerRound: config.episodes,
      pairsPerRound: config.studio.pairsPerRound,
      labelBudget: config.preferences.budget,
      pairSelection: config.studio.pairSelection,
      labelTimeLimitSec: config.studio.labelTimeLimitSec,
      teacherAfterSec: config.studio.teacherAfterSec,
      goldRate: config.studio.goldRate,
      algorithm: config.policy.algorithm,
    },
    mazeText: config.env.layout,
  };
}

export async function updateExperiment(db: DbOrTx, id: string, input: UpdateExperimentInput): Promise<ExperimentDto> {
  await getExperimentOrThrow(db, id);
  await db.experiment.update({ where: { id }, data: input });
  forgetExperimentFacts(id);
  return getExperimentDto(db, id);
}

type Counts = { id: string } & ExperimentSummaryDto["counts"];
type CountRow = { id: string; trajectories: number | bigint; openPairs: number | bigint; labels: number | bigint; rounds: number | bigint };

/**
 * Trajectories, open pairs, labels and rounds of the newest `limit` experiments (or of the one `only`), newest
 * first, in one statement that SQLite and PostgreSQL both run (each count uses its table's experiment index).
 */
async function countsOf(db: DbOrTx, { only = null, limit = 1 }: { only?: string | null; limit?: number }): Promise<Counts[]> {
  const rows = await db.$queryRaw<CountRow[]>`
    SELECT e."id" AS "id",
      (SELECT COUNT(*) FROM "Trajectory" t WHERE t."experimentId" = e."id") AS "trajectories",
      (SELECT COUNT(*) FROM "Pair" p WHERE p."experimentId" = e."id" AND p."status" = 'open') AS "openPairs",
      (SELECT COUNT(*) FROM "Label" l JOIN "Pair" lp ON lp."id" = l."pairId" WHERE lp."experimentId" = e."id") AS "labels",
      (SELECT COUNT(*) FROM "TrainingRound" r WHERE r."experimentId" = e."id") AS "rounds"
    FROM "Experiment" e
    WHERE CAST(${only} AS TEXT) IS NULL OR e."id" = ${only}
    ORDER BY e."createdAt" DESC, e."id" DESC
    LIMIT ${limit}`;
  return rows.map((r) => ({
    id: r.id,
    trajectories: Number(r.trajectories),
    openPairs: Number(r.openPairs),
    labels: Number(r.labels),
    rounds: Number(r.rounds),
  }));
}

/** The highest-numbered round of each experiment, in one query. */
async function latestRounds(db: DbOrTx, experimentIds: string[]): Promise<Map<string, TrainingRound>> {
  if (experimentIds.length === 0) return new Map();
  const rounds = await db.trainingRound.findMany({
    where: { experimentId: { in: experimentIds } },
    orderBy: [{ experimentId: "asc" }, { index: "desc" }],
    distinct: ["experimentId"],
  });
  return new Map(rounds.map((r) => [r.experimentId, r]));
}

async function summarise(db: DbOrTx, exp: Experiment, counts: Counts | undefined, latest: TrainingRound | null): Promise<ExperimentSummaryDto> {
  const config = parseStoredConfig(exp.config);
  const lines = config.env.layout.split("\n");
  return {
    id: exp.id,
    name: exp.name,
    status: exp.status,
    labellingMode: exp.labellingMode,
    labelsPerPair: exp.labelsPerPair,
    createdAt: exp.createdAt.toISOString(),
    preset: config.preset,
    teacher: config.teacher.kind,
    maze: { rows: lines.length, cols: lines[0].length },
    counts: {
      trajectories: counts?.trajectories ?? 0,
      openPairs: counts?.openPairs ?? 0,
      labels: counts?.labels ?? 0,
      rounds: counts?.rounds ?? 0,
    },
    latestRound: latest ? roundDto(latest) : null,
  };
}
