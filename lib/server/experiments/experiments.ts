// Experiments: create, list, read, change mode. Routes get DTOs from here, never ORM rows.
import "server-only";
import { getDb, type DbOrTx } from "../db/client";
import { AppError } from "../errors";
import { createExperiment as insertExperiment } from "../repo";
import { parseStoredConfig, resolveConfig, type StoredConfig } from "./config";
import { roundDto, type RoundDto } from "../training/rounds";
import type { CreateExperimentInput, LabellingMode, UpdateExperimentInput } from "../../schemas/experiment";
import type { Experiment } from "../../../generated/sqlite/client";

export interface ExperimentSummaryDto {
  id: string;
  name: string;
  status: string;
  labellingMode: LabellingMode;
  labelsPerPair: number;
  createdAt: string;
  preset: string;
  teacher: string;
  maze: { rows: number; cols: number };
  counts: { trajectories: number; openPairs: number; labels: number; rounds: number };
  latestRound: RoundDto | null;
}

export interface ExperimentDto extends ExperimentSummaryDto {
  config: {
    seed: number;
    shaping: StoredConfig["shaping"];
    episodesPerRound: number;
    pairsPerRound: number;
    pairSelection: string;
    labelTimeLimitSec: number;
    algorithm: string;
  };
  mazeText: string;
}

export async function getExperimentOrThrow(id: string, db?: DbOrTx): Promise<Experiment> {
  const client = db ?? (await getDb());
  const exp = await client.experiment.findUnique({ where: { id } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${id} not found`);
  return exp;
}

export async function createExperiment(input: CreateExperimentInput): Promise<ExperimentDto> {
  const db = await getDb();
  const config = resolveConfig(input);
  const exp = await insertExperiment(db, { name: input.name, config, labellingMode: input.labellingMode, labelsPerPair: input.labelsPerPair, status: "active" });
  return getExperimentDto(exp.id);
}

export async function listExperiments(): Promise<ExperimentSummaryDto[]> {
  const db = await getDb();
  const rows = await db.experiment.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
  return Promise.all(rows.map((row) => summarise(db, row)));
}

export async function getExperimentDto(id: string): Promise<ExperimentDto> {
  const db = await getDb();
  const exp = await getExperimentOrThrow(id, db);
  const summary = await summarise(db, exp);
  const config = parseStoredConfig(exp.config);
  return {
    ...summary,
    config: {
      seed: config.seed,
      shaping: config.shaping,
      episodesPerRound: config.episodes,
      pairsPerRound: config.studio.pairsPerRound,
      pairSelection: config.studio.pairSelection,
      labelTimeLimitSec: config.studio.labelTimeLimitSec,
      algorithm: config.policy.algorithm,
    },
    mazeText: config.env.layout,
  };
}

export async function updateExperiment(id: string, input: UpdateExperimentInput): Promise<ExperimentDto> {
  const db = await getDb();
  await getExperimentOrThrow(id, db);
  await db.experiment.update({ where: { id }, data: input });
  return getExperimentDto(id);
}

async function summarise(db: DbOrTx, exp: Experiment): Promise<ExperimentSummaryDto> {
  const config = parseStoredConfig(exp.config);
  const lines = config.env.layout.split("\n");
  const [trajectories, openPairs, labels, rounds, latest] = await Promise.all([
    db.trajectory.count({ where: { experimentId: exp.id } }),
    db.pair.count({ where: { experimentId: exp.id, status: "open" } }),
    db.label.count({ where: { pair: { experimentId: exp.id } } }),
    db.trainingRound.count({ where: { experimentId: exp.id } }),
    db.trainingRound.findFirst({ where: { experimentId: exp.id }, orderBy: { index: "desc" } }),
  ]);
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
    counts: { trajectories, openPairs, labels, rounds },
    latestRound: latest ? await roundDto(db, latest) : null,
  };
}
