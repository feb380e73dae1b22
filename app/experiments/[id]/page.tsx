import type { Metadata } from "next";
import { ExperimentDetail } from "../../_components/ExperimentDetail";

export const metadata: Metadata = { title: "Experiment · oprl-studio" };

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ExperimentDetail id={id} />;
}
