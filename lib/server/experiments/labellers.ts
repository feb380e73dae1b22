// Each labeller's quality, from the maze's exact truth: on every decided label (any mode), did they choose what the
// truth judgement (lib/maze judgeByTruth: goal reached, else true distance left, else shorter) chooses; on gold
// pairs, how often they were right; and their median response time.
import "server-only";
import { distancesToGoal, judgeByTruth, parseLayout } from "../../maze";
import { decodeCells } from "../db/codec";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { parseStoredConfig } from "./config";
import type { LabellerQualityDto } from "../../contracts/labellers";
import { GOLD_SELECTION } from "../../contracts/words";

const PAGE = 500;

const ratio = (a: number, n: number) => (n ? Math.round((a / n) * 1000) / 1000 : null);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function labellerQuality(db: Db, experimentId: string): Promise<LabellerQualityDto[]> {
  const exp = await db.experiment.findUnique({ where: { id: experimentId }, select: { config: true } });
  if (!exp) throw new AppError("NOT_FOUND", `experiment ${experimentId} not found`);
  const distances = distancesToGoal(parseLayout(parseStoredConfig(exp.config).env.layout));
  type Tally = LabellerQualityDto & { times: number[] };
  const byUser = new Map<string, Tally>();
  const run = { select: { cells: true, success: true } } as const;
  let cursor: string | undefined;
  for (;;) {
    const pairs = await db.pair.findMany({
      where: { experimentId, labels: { some: { source: "human" } } },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: {
        id: true,
        selection: true,
        left: run,
        right: run,
        labels: { where: { source: "human" }, select: { choice: true, responseMs: true, user: { select: { name: true } } } },
      },
    });
    for (const p of pairs) {
      const truth = judgeByTruth(
        distances,
        { cells: decodeCells(p.left.cells), success: p.left.success },
        { cells: decodeCells(p.right.cells), success: p.right.success },
      );
      for (const l of p.labels) {
        const name = l.user?.name ?? "(deleted account)";
        let t = byUser.get(name);
        if (!t) {
          t = {
            user: name,
            decided: 0,
            skips: 0,
            truth: { compared: 0, agree: 0, rate: null },
            gold: { labels: 0, correct: 0, rate: null },
            medianResponseMs: null,
            times: [],
          };
          byUser.set(name, t);
        }
        if (l.choice === "skip") {
          t.skips++;
          continue;
        }
        const right = l.choice === truth;
        t.decided++;
        t.truth.compared++;
        if (right) t.truth.agree++;
        if (p.selection === GOLD_SELECTION) {
          t.gold.labels++;
          if (right) t.gold.correct++;
        }
        if (l.responseMs !== null) t.times.push(l.responseMs);
      }
    }
    if (pairs.length < PAGE) break;
    cursor = pairs[pairs.length - 1].id;
  }
  return [...byUser.values()]
    .map(({ times, ...t }) => ({
      ...t,
      truth: { ...t.truth, rate: ratio(t.truth.agree, t.truth.compared) },
      gold: { ...t.gold, rate: ratio(t.gold.correct, t.gold.labels) },
      medianResponseMs: median(times),
    }))
    .sort((a, b) => b.decided - a.decided || a.user.localeCompare(b.user));
}
