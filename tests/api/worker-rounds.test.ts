// One worker, several experiments: a round waiting for people's labels must not keep other experiments' rounds
// from running, and an experiment's own rounds still run one after another.
import { beforeAll, describe, expect, it } from "vitest";
import * as experiments from "@/app/api/experiments/route";
import * as rounds from "@/app/api/experiments/[id]/rounds/route";
import { getDb } from "@/lib/server/db/client";
import { claimNext } from "@/lib/server/training/claim";
import { TrainingWorker } from "@/lib/server/training/worker";
import { account, actAs, body, ctx, goodExperiment, req } from "./helpers";

const quiet = () => {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newExperiment(over: Record<string, unknown>): Promise<string> {
  const res = await experiments.POST(req("/api/experiments", { method: "POST", body: goodExperiment(over) }));
  expect(res.status).toBe(201);
  return (await body(res)).experiment.id;
}

async function queueRound(id: string): Promise<string> {
  const res = await rounds.POST(req(`/api/experiments/${id}/rounds`, { method: "POST" }), ctx(id));
  expect(res.status).toBe(201);
  return (await body(res)).round.id;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (x: T) => boolean, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const x = await read();
    if (ok(x)) return x;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(x)}`);
    await sleep(50);
  }
}

describe("the worker holds several rounds, one computing", () => {
  beforeAll(async () => {
    await getDb();
    actAs(await account("root", "admin"));
  });

  it("a human round waiting for labels lets a synthetic round of another experiment run to done; it then finishes itself", async () => {
    const db = await getDb();
    const human = await newExperiment({ labellingMode: "human", episodesPerRound: 20, pairsPerRound: 3, labelTimeLimitSec: 3600 });
    const synthetic = await newExperiment({ labellingMode: "synthetic", episodesPerRound: 30, pairsPerRound: 4 });
    const humanRound = await queueRound(human);
    const worker = new TrainingWorker(db, { log: quiet, pollMs: 20 });
    const loop = worker.loop();
    try {
      const phaseOf = async (id: string) => {
        const r = await db.trainingRound.findUniqueOrThrow({ where: { id } });
        return `${r.status}:${r.status === "running" ? JSON.parse(r.state ?? "{}").phase : ""}`;
      };
      await until(
        "the human round to wait for labels",
        () => phaseOf(humanRound),
        (p) => p === "running:labelling",
      );
      const syntheticRound = await queueRound(synthetic);
      await until(
        "the synthetic round to finish",
        () => phaseOf(syntheticRound),
        (p) => p === "done:",
      );
      expect(await phaseOf(humanRound)).toBe("running:labelling");

      // People label the human round's pairs: it takes the compute slot back and trains to done.
      const pairs = await db.pair.findMany({ where: { experimentId: human, status: "open" } });
      expect(pairs).toHaveLength(3);
      const labeller = await account("lab-worker", "labeler");
      for (const p of pairs) {
        await db.label.create({ data: { id: `l-${p.id}`, pairId: p.id, userId: labeller.id, choice: "left", source: "human", responseMs: 900 } });
        await db.pair.update({ where: { id: p.id }, data: { status: "done" } });
      }
      await until(
        "the human round to finish",
        () => phaseOf(humanRound),
        (p) => p === "done:",
      );
    } finally {
      worker.stop();
      await loop;
    }
  });

  it("never claims a queued round beside a running round of the same experiment, nor a round it runs", async () => {
    const db = await getDb();
    const id = await newExperiment({ labellingMode: "synthetic" });
    const now = new Date();
    const first = await db.trainingRound.create({
      data: { experimentId: id, index: 1, status: "running", workerId: "w1", heartbeatAt: now, startedAt: now, episodesTotal: 10 },
    });
    await db.trainingRound.create({ data: { experimentId: id, index: 2, status: "queued", episodesTotal: 10 } });
    expect(await claimNext(db, { workerId: "w2" }, id)).toBeNull();
    expect(await claimNext(db, { workerId: "w1", running: new Set([first.id]) }, id)).toBeNull();
  });
});
