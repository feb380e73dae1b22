// Honest round progress: while a round waits for labels its bar is labels against the target (0 labels: 0%), and its
// time estimate comes from the label rate seen so far, never from the time limit.
import { describe, expect, it } from "vitest";
import { labelEtaSeconds, phaseProgress, roundNotes, roundStateSchema } from "@/lib/server/training/round-state";
import { roundDto } from "@/lib/server/training/rounds";
import { shownProgress } from "@/app/_components/RoundProgress";

const NOW = Date.parse("2026-11-26T10:00:00Z");

function labellingRound(have: number, target: number, startedSecondsAgo: number, limitSeconds = 900) {
  const started = NOW - startedSecondsAgo * 1000;
  const state = roundStateSchema.parse({
    phase: "labelling",
    labelsHave: have,
    labelsTarget: target,
    labelsStartedAt: started,
    labelDeadline: started + limitSeconds * 1000,
  });
  return {
    id: "r1",
    experimentId: "e1",
    index: 3,
    status: "running" as const,
    progress: phaseProgress("labelling", target ? have / target : 1),
    episodesDone: 100,
    episodesTotal: 100,
    startedAt: new Date(started),
    finishedAt: null,
    error: null,
    heartbeatAt: new Date(NOW),
    workerId: "w",
    state: JSON.stringify(state),
    createdAt: new Date(started),
  };
}

describe("a round waiting for labels", () => {
  it("shows 0% at 0 labels, and no estimate until a label came in", () => {
    const dto = roundDto(labellingRound(0, 40, 60), NOW);
    expect(dto.progress).toBeGreaterThan(0.8); // the whole round's progress: collecting is behind it
    expect(shownProgress(dto)).toBe(0);
    expect(dto.etaSeconds).toBeNull();
    expect(dto.labels).toMatchObject({ have: 0, target: 40 });
  });

  it("estimates from the label rate, not the time limit", () => {
    // 10 labels in 100 s: 30 more take about 300 s, while the limit is 800 s away.
    const dto = roundDto(labellingRound(10, 40, 100), NOW);
    expect(shownProgress(dto)).toBe(0.25);
    expect(dto.etaSeconds).toBe(302);
    expect(Date.parse(dto.labels.deadline!) - NOW).toBe(800_000);
    // A slow rate is capped by the limit: the round trains then anyway.
    expect(labelEtaSeconds({ labelsHave: 1, labelsTarget: 40, labelsStartedAt: NOW - 100_000, labelDeadline: NOW + 60_000 }, NOW)).toBe(60);
  });

  it("writes its notes out: replaced pairs, the teacher's share, late labels", () => {
    const state = roundStateSchema.parse({ phase: "finished", note: "resumed after a worker restart (1x)", replacedPairs: 2, lateLabels: 1, lateFromRound: 2 });
    expect(roundNotes(state)).toBe(
      "resumed after a worker restart (1x); 2 pairs everyone skipped replaced by new ones; 1 late label given after round 2 closed trained here",
    );
  });
});
