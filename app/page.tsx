import Link from "next/link";
import { hasRole } from "@/lib/server/auth/guard";
import { pageUser } from "@/lib/server/auth/page";

export default async function Home() {
  const user = await pageUser();
  return (
    <div className="mx-auto max-w-3xl px-4 py-10">
      <h1 className="text-2xl font-semibold">Online Process Reward Learning</h1>
      <p className="mt-2 text-slate-600">
        Agents learn to cross a maze from a sparse goal reward. People (or a synthetic teacher) say which of two runs is better; a reward model learns a reward
        for every step from those choices, and the agent learns from it.
      </p>
      {!user && (
        <p className="mt-6">
          <Link href="/sign-in" className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong">
            Sign in
          </Link>
          <span className="ml-3 text-sm text-slate-600">Accounts are made by an admin, or through an invite link.</span>
        </p>
      )}
      {user && (
        <div className="mt-6 grid gap-4 sm:grid-cols-2">
          <Link href="/label" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm hover:border-blue-400">
            <h2 className="font-semibold">Label pairs →</h2>
            <p className="mt-1 text-sm text-slate-600">Watch two runs side by side and pick the better one. Arrow keys work.</p>
          </Link>
          {hasRole(user, "researcher") && (
            <Link href="/experiments" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm hover:border-blue-400">
              <h2 className="font-semibold">Experiments →</h2>
              <p className="mt-1 text-sm text-slate-600">Create an experiment, run training rounds, compare learned rewards with the truth.</p>
            </Link>
          )}
        </div>
      )}
    </div>
  );
}
