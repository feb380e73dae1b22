import type { Metadata } from "next";
import { hasRole } from "@/lib/server/auth/guard";
import { requirePageUser } from "@/lib/server/auth/page";
import { LabelScreen } from "../_components/label/LabelScreen";

export const metadata: Metadata = { title: "Label pairs · oprl-studio" };

export default async function LabelPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { experiment } = await searchParams;
  const chosen = typeof experiment === "string" && experiment ? experiment : null;
  const user = await requirePageUser("labeler", chosen ? `/label?experiment=${encodeURIComponent(chosen)}` : "/label");
  return <LabelScreen initialExperiment={chosen} canRun={hasRole(user, "admin")} canBrowse={hasRole(user, "researcher")} />;
}
