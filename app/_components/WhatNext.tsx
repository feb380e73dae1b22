"use client";
// The line at the top of an experiment page that says what happens next and what the reader can do about it.
import Link from "next/link";
import { whatNext } from "./dashboard-text";
import type { LabellingMode } from "@/lib/contracts/words";
import type { RoundDto } from "@/lib/contracts/round";

const TONES = {
  act: "border-blue-200 bg-blue-50 text-blue-900",
  wait: "border-slate-200 bg-white text-slate-800",
  done: "border-green-200 bg-green-50 text-green-900",
  problem: "border-amber-200 bg-amber-50 text-amber-900",
} as const;

export function WhatNextLine({
  round,
  mode,
  canRun,
  labels,
  experimentId,
}: {
  round: RoundDto | null;
  mode: LabellingMode;
  canRun: boolean;
  labels: number;
  experimentId: string;
}) {
  const next = whatNext(round, { mode, canRun, labels });
  return (
    <p className={`rounded-lg border px-3 py-2 text-sm font-medium ${TONES[next.tone]}`} role="status" data-testid="what-next" data-tone={next.tone}>
      {next.text}
      {next.labelLink && (
        <>
          {" "}
          <Link href={`/label?experiment=${experimentId}`} className="underline">
            Open /label
          </Link>
        </>
      )}
    </p>
  );
}
