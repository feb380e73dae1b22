// The dashboards' words and scales: the what-next line for every round state, sample-size caveats, and the one
// shared heatmap scale.
import { describe, expect, it } from "vitest";
import { MIN_SAMPLE, normalise, rateWithSample, whatNext } from "@/app/_components/dashboard-text";
import type { RoundDto } from "@/lib/contracts/round";

const round = (over: Partial<RoundDto>): RoundDto => ({
  id: "r",
  experimentId: "e",
  index: 2,
  status: "running",
  phase: "collecting",
  progress: 0.4,
  episodesDone: 40,
  episodesTotal: 100,
  labels: { have: 0, target: 0, deadline: null },
  etaSeconds: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: null,
  finishedAt: null,
  heartbeatAt: null,
  error: null,
  note: null,
  ...over,
});
const human = { mode: "human" as const, canRun: true, labels: 3 };

describe("whatNext", () => {
  it("says which labels a waiting round needs and where to send people", () => {
    expect(whatNext(round({ phase: "labelling", labels: { have: 12, target: 40, deadline: null } }), human)).toEqual({
      text: "Round 2 waits for 28 labels (12 of 40): share /label with labellers.",
      tone: "act",
      labelLink: true,
    });
    expect(whatNext(round({ phase: "labelling", labels: { have: 39, target: 40, deadline: null } }), human).text).toMatch(/waits for 1 label \(/);
    // Synthetic mode: nobody to ask.
    expect(whatNext(round({ phase: "labelling", labels: { have: 0, target: 40, deadline: null } }), { ...human, mode: "synthetic" }).text).toBe(
      "Training round 2: the teacher is labelling its pairs.",
    );
  });

  it("reports training progress, a queued round, the end, failures and the first round", () => {
    expect(whatNext(round({}), human).text).toBe("Training round 2: 40% done (collecting episodes, 40 of 100 episodes).");
    expect(whatNext(round({ phase: "reward-model", progress: 0.956 }), human).text).toBe("Training round 2: 95% done (fitting the reward model).");
    expect(whatNext(round({ status: "queued", phase: "queued" }), human).tone).toBe("wait");
    expect(whatNext(round({ status: "done", phase: "finished" }), human)).toEqual({ text: "Done: start another round or export the labels.", tone: "done" });
    expect(whatNext(round({ status: "done", phase: "finished" }), { ...human, canRun: false, labels: 0 }).text).toBe("Done: ask an admin for another round.");
    expect(whatNext(round({ status: "failed", error: "worker died 3 times" }), human)).toEqual({
      text: "Round 2 failed (worker died 3 times): start another round.",
      tone: "problem",
    });
    expect(whatNext(null, human).text).toBe("Next: start round 1 to collect the first episodes.");
    expect(whatNext(null, { ...human, canRun: false }).text).toBe("Next: an admin starts round 1.");
  });
});

describe("rateWithSample", () => {
  it("puts n beside the rate and warns below the threshold", () => {
    expect(rateWithSample(0.75, 4)).toEqual({ value: "75%", sample: "n = 4", caveat: "too few to judge" });
    expect(rateWithSample(0.8, MIN_SAMPLE)).toEqual({ value: "80%", sample: `n = ${MIN_SAMPLE}`, caveat: null });
    expect(rateWithSample(null, 0)).toEqual({ value: "–", sample: "n = 0", caveat: "nothing to judge yet" });
  });
});

describe("normalise", () => {
  it("maps each map's reachable free cells onto 0..1, walls and unreachable cells to null", () => {
    const walls = [false, true, false, false];
    expect(normalise([-3, 99, null, 0], walls)).toEqual({ lo: -3, hi: 0, scaled: [0, null, null, 1] });
    expect(normalise([0.2, 0, 0.2, 0.2], walls)?.scaled).toEqual([0.5, null, 0.5, 0.5]);
    expect(normalise([null, 1, null, null], walls)).toBeNull();
  });
});
