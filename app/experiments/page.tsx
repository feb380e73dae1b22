import type { Metadata } from "next";
import { requirePageUser } from "@/lib/server/auth/page";
import { ExperimentForm } from "../_components/ExperimentForm";
import { ExperimentList } from "../_components/ExperimentList";

export const metadata: Metadata = { title: "Experiments · oprl-studio" };

export default async function ExperimentsPage() {
  await requirePageUser("researcher", "/experiments");
  return (
    <div className="mx-auto grid max-w-6xl gap-6 px-3 py-4 sm:px-4 lg:grid-cols-[1fr_28rem]">
      <section>
        <h1 className="mb-3 text-xl font-semibold">Experiments</h1>
        <ExperimentList />
      </section>
      <section>
        <ExperimentForm />
      </section>
    </div>
  );
}
