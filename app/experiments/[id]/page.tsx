import type { Metadata } from "next";
import { hasRole } from "@/lib/server/auth/guard";
import { requirePageUser } from "@/lib/server/auth/page";
import { ExperimentDetail } from "../../_components/ExperimentDetail";

export const metadata: Metadata = { title: "Experiment · oprl-studio" };

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser("researcher", `/experiments/${encodeURIComponent(id)}`);
  return <ExperimentDetail id={id} canRun={hasRole(user, "admin")} />;
}
