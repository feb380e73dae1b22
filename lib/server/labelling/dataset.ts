// Preference datasets as JSONL: one pair per line, both trajectories decoded, every label
// (skips included). Export streams page by page; import checks every line first and then
// writes everything in one transaction, so a bad file writes nothing.
//
// Ids are not carried over: import makes new ones (so a file can be imported twice, or into
// another experiment). Users are matched by name and created (role labeler) when missing.
import "server-only";
import { encodeSteps } from "../db/codec";
import { TX_OPTIONS, type Db, type Tx } from "../db/client";
import { uuidv7 } from "../db/ids";
import { AppError } from "../errors";
import { addLabellerLabels, addOpenPairs, decidedByUser } from "./counters";
import { toTrajectoryView } from "./views";
import { z } from "zod";
import { NUM_ACTIONS, transitionTable } from "../../maze/env";
import { parseLayout, type MazeLayout } from "../../maze/layout";
import { DATASET_FORMAT, DATASET_LIMITS, datasetLineSchema, type DatasetLine, type DatasetTrajectory } from "../../contracts/dataset";
import { parseStoredConfig } from "../experiments/config";
import { distancesToGoal, judgeByTruth } from "../../maze";
import { idSchema } from "../../contracts/ids";

const EXPORT_PAGE = 200;

/** The maze's true distances for the export's truth field; null for an experiment without a stored engine config (imported test data). */
function truthDistances(config: string): Int32Array | null {
  try {
    return distancesToGoal(parseLayout(parseStoredConfig(config).env.layout));
  } catch {
    return null;
  }
}
/** An import is one transaction; give a big file time (SQLite queues other writers meanwhile). */
const IMPORT_TX_OPTIONS = { maxWait: TX_OPTIONS.maxWait, timeout: 10 * 60_000 } as const;

const trajectorySelect = {
  select: { id: true, round: true, policyVersion: true, actions: true, cells: true, rewards: true, return: true, length: true, success: true },
} as const;

function datasetTrajectory(view: ReturnType<typeof toTrajectoryView>): DatasetTrajectory {
  return {
    id: view.id,
    round: view.round,
    policyVersion: view.policyVersion,
    return: view.return,
    success: view.success,
    actions: view.actions,
    cells: view.cells,
    rewards: view.rewards,
  };
}

/**
 * The experiment's pairs as dataset lines (JSON text, no newline), oldest pair first.
 * By default only pairs with at least one label (skips count) are exported.
 */
export async function* exportDatasetLines(db: Db, experimentId: string, options: { labelledOnly?: boolean } = {}): AsyncGenerator<string> {
  const id = idSchema.safeParse(experimentId);
  const exp = id.success ? await db.experiment.findUnique({ where: { id: experimentId }, select: { config: true } }) : null;
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const distances = truthDistances(exp.config);
  const where = { experimentId, ...(options.labelledOnly === false ? {} : { labels: { some: {} } }) };
  let cursor: string | undefined;
  for (;;) {
    const pairs = await db.pair.findMany({
      where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: EXPORT_PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: {
        id: true,
        selection: true,
        priority: true,
        status: true,
        labelsWanted: true,
        createdAt: true,
        left: trajectorySelect,
        right: trajectorySelect,
        labels: {
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: {
            id: true,
            source: true,
            teacher: true,
            choice: true,
            responseMs: true,
            createdAt: true,
            user: { select: { name: true } },
          },
        },
      },
    });
    for (const p of pairs) {
      const left = toTrajectoryView(p.left);
      const right = toTrajectoryView(p.right);
      const line: DatasetLine = {
        format: DATASET_FORMAT,
        pair: {
          id: p.id,
          selection: p.selection,
          priority: p.priority,
          status: p.status,
          labelsWanted: p.labelsWanted,
          createdAt: p.createdAt.toISOString(),
        },
        left: datasetTrajectory(left),
        right: datasetTrajectory(right),
        labels: p.labels.map((l) => ({
          id: l.id,
          source: l.source,
          user: l.user?.name ?? null,
          teacher: l.teacher,
          choice: l.choice,
          responseMs: l.responseMs,
          createdAt: l.createdAt.toISOString(),
        })),
        ...(distances ? { truth: judgeByTruth(distances, left, right) } : {}),
      };
      yield JSON.stringify(line);
    }
    if (pairs.length < EXPORT_PAGE) return;
    cursor = pairs[pairs.length - 1].id;
  }
}

/** The whole export as one JSONL string (newline-terminated lines). */
export async function exportDataset(db: Db, experimentId: string, options: { labelledOnly?: boolean } = {}): Promise<string> {
  let out = "";
  for await (const line of exportDatasetLines(db, experimentId, options)) out += line + "\n";
  return out;
}

/** The maze a dataset is imported into: every cell must be a free cell of it, every step a move it allows. */
export interface DatasetMaze {
  layout: MazeLayout;
  maxSteps: number;
}

/** Errors listed in one refusal; the rest are counted. */
const MAX_REPORTED = 20;

function checkTrajectory(t: DatasetTrajectory, maze: DatasetMaze, moves: Int32Array, where: string): string[] {
  const { layout, maxSteps } = maze;
  const n = layout.rows * layout.cols;
  if (t.actions.length > maxSteps) return [`${where}: ${t.actions.length} steps, the experiment's mazes end after ${maxSteps}`];
  for (let i = 0; i < t.cells.length; i++) {
    const cell = t.cells[i];
    if (cell >= n) return [`${where}.cells.${i}: cell ${cell} is outside the ${layout.rows}x${layout.cols} maze`];
    if (layout.walls[cell]) return [`${where}.cells.${i}: cell ${cell} is a wall`];
    if (i > 0 && moves[t.cells[i - 1] * NUM_ACTIONS + t.actions[i - 1]] !== cell) {
      return [`${where}.actions.${i - 1}: action ${t.actions[i - 1]} from cell ${t.cells[i - 1]} does not lead to cell ${cell}`];
    }
  }
  return [];
}

/**
 * Parses and checks every line (JSON, the dataset schema, caps, and with `maze` the maze's bounds and moves). A
 * refusal is one VALIDATION error listing the bad lines by number (the first 20), so nothing is written.
 */
export function parseDataset(jsonl: string, maze?: DatasetMaze): DatasetLine[] {
  const lines: DatasetLine[] = [];
  const seenPairs = new Map<string, number>();
  const errors: { line: number; message: string }[] = [];
  const moves = maze ? transitionTable(maze.layout) : null;
  const rows = jsonl.split("\n");
  if (rows.length > DATASET_LIMITS.lines && rows.slice(DATASET_LIMITS.lines).some((r) => r.trim() !== "")) {
    throw new AppError("VALIDATION", `the file has more than ${DATASET_LIMITS.lines} lines: split it`, { lines: rows.length });
  }
  for (let i = 0; i < rows.length && errors.length < MAX_REPORTED; i++) {
    const lineNo = i + 1;
    const fail = (message: string) => void errors.push({ line: lineNo, message });
    if (Buffer.byteLength(rows[i]) > DATASET_LIMITS.lineBytes) {
      fail(`longer than ${DATASET_LIMITS.lineBytes} bytes`);
      continue;
    }
    const text = rows[i].trim();
    if (text === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      fail(`not valid JSON (${(err as Error).message})`);
      continue;
    }
    const result = datasetLineSchema.safeParse(json);
    if (!result.success) {
      fail(result.error.issues.map((issue) => `${issue.path.join(".") || "(line)"}: ${issue.message}`).join("; "));
      continue;
    }
    const line = result.data;
    if (maze && moves) {
      const bad = [...checkTrajectory(line.left, maze, moves, "left"), ...checkTrajectory(line.right, maze, moves, "right")];
      if (bad.length) {
        fail(bad.join("; "));
        continue;
      }
    }
    const earlier = seenPairs.get(line.pair.id);
    if (earlier !== undefined) {
      fail(`pair ${line.pair.id} already given on line ${earlier}`);
      continue;
    }
    seenPairs.set(line.pair.id, lineNo);
    lines.push(line);
  }
  if (errors.length) {
    const more = errors.length >= MAX_REPORTED ? ` (first ${MAX_REPORTED} bad lines; there may be more)` : "";
    const message = errors.map((e) => `line ${e.line}: ${e.message}`).join("\n");
    throw new AppError("VALIDATION", `${message}${more}`, { line: errors[0].line, lines: errors });
  }
  return lines;
}

export type ImportSummary = { pairs: number; trajectories: number; labels: number; usersCreated: number };

const experimentMazeSchema = z.object({ env: z.object({ layout: z.string(), maxSteps: z.number().int().min(1) }) });

/**
 * Imports a JSONL dataset into an existing experiment, all or nothing: every line is checked (schema, caps, the
 * experiment's maze) before anything is written. Trajectories shared by several lines (same exported id) are
 * stored once. Recorded labels keep their slot, so the queue will not hand an imported pair out beyond its
 * labelsWanted.
 */
export async function importDataset(db: Db, experimentId: string, jsonl: string): Promise<ImportSummary> {
  const id = idSchema.safeParse(experimentId);
  const exp = id.success ? await db.experiment.findUnique({ where: { id: experimentId }, select: { config: true } }) : null;
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  // Experiments made by the app and the CLI carry their maze; a bare row made by a script or a test has none to
  // check against (nor can it train), so only the schema and the caps apply to it.
  const stored = experimentMazeSchema.safeParse(JSON.parse(exp.config));
  const lines = parseDataset(jsonl, stored.success ? { layout: parseLayout(stored.data.env.layout), maxSteps: stored.data.env.maxSteps } : undefined);
  return db.$transaction((tx) => writeDataset(tx, experimentId, lines), IMPORT_TX_OPTIONS);
}

async function writeDataset(tx: Tx, experimentId: string, lines: DatasetLine[]): Promise<ImportSummary> {
  const CHUNK = 500;
  const insertAll = async <T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
  };

  // Users by name.
  const names = [...new Set(lines.flatMap((l) => l.labels.map((label) => label.user).filter((n): n is string => !!n)))];
  const userIds = new Map<string, string>();
  for (let i = 0; i < names.length; i += CHUNK) {
    const found = await tx.user.findMany({ where: { name: { in: names.slice(i, i + CHUNK) } }, select: { id: true, name: true } });
    for (const u of found) userIds.set(u.name, u.id);
  }
  const newUsers = names.filter((n) => !userIds.has(n)).map((name) => ({ id: uuidv7(), name }));
  for (const u of newUsers) userIds.set(u.name, u.id);
  await insertAll(newUsers, (chunk) => tx.user.createMany({ data: chunk }));

  // Trajectories, once per exported id.
  const trajectoryIds = new Map<string, string>();
  const trajectories = [];
  for (const line of lines) {
    for (const t of [line.left, line.right]) {
      if (trajectoryIds.has(t.id)) continue;
      const newId = uuidv7();
      trajectoryIds.set(t.id, newId);
      trajectories.push({
        id: newId,
        experimentId,
        round: t.round,
        policyVersion: t.policyVersion,
        ...encodeSteps(t),
        return: t.return,
        success: t.success,
      });
    }
  }
  await insertAll(trajectories, (chunk) => tx.trajectory.createMany({ data: chunk }));

  const pairs = [];
  const labels = [];
  const leases = [];
  for (const line of lines) {
    const pairId = uuidv7();
    const counted = line.labels.filter((l) => l.choice !== "skip");
    const status = line.pair.status === "open" && counted.length >= line.pair.labelsWanted ? "done" : line.pair.status;
    pairs.push({
      id: pairId,
      experimentId,
      leftId: trajectoryIds.get(line.left.id)!,
      rightId: trajectoryIds.get(line.right.id)!,
      selection: line.pair.selection,
      priority: line.pair.priority,
      status,
      labelsWanted: line.pair.labelsWanted,
      labelsDone: counted.length,
      createdAt: new Date(line.pair.createdAt),
    });
    let slot = 0;
    for (const l of line.labels) {
      const labelId = uuidv7();
      const userId = l.user ? userIds.get(l.user)! : null;
      const createdAt = new Date(l.createdAt);
      labels.push({ id: labelId, pairId, source: l.source, userId, teacher: l.teacher, choice: l.choice, responseMs: l.responseMs, createdAt });
      if (l.choice !== "skip") {
        leases.push({ id: uuidv7(), pairId, slot: slot++, userId, expiresAt: createdAt, labelId, createdAt });
      }
    }
  }
  await insertAll(pairs, (chunk) => tx.pair.createMany({ data: chunk }));
  await insertAll(labels, (chunk) => tx.label.createMany({ data: chunk }));
  await insertAll(leases, (chunk) => tx.lease.createMany({ data: chunk }));
  await addOpenPairs(tx, experimentId, pairs.filter((p) => p.status === "open").length);
  for (const [userId, n] of decidedByUser(labels)) await addLabellerLabels(tx, experimentId, userId, n);
  return { pairs: pairs.length, trajectories: trajectories.length, labels: labels.length, usersCreated: newUsers.length };
}
