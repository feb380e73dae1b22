import type { Metadata } from "next";
import { LabelScreen } from "../_components/LabelScreen";

export const metadata: Metadata = { title: "Label pairs · oprl-studio" };

export default async function LabelPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experiment } = await searchParams;
  return <LabelScreen initialExperiment={typeof experiment === "string" && experiment ? experiment : null} />;
}
