import type { Metadata } from "next";
import { hasRole } from "@/lib/server/auth/guard";
import { pageDb, requirePageUser } from "@/lib/server/auth/page";
import { experimentFirstView } from "@/lib/server/experiments/first-view";
import { ExperimentDetail } from "../../_components/ExperimentDetail";

export const metadata: Metadata = { title: "Experiment · oprl-studio" };

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser("researcher", `/experiments/${encodeURIComponent(id)}`);
  // An unknown id renders the page's own "No such experiment" (from its first fetch).
  const first = await experimentFirstView(await pageDb(), id);
  return <ExperimentDetail id={id} canRun={hasRole(user, "admin")} first={first} />;
}
