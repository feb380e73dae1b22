import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { pageUser, safeNext } from "@/lib/server/auth/page";
import { SignInForm } from "../_components/SignInForm";

export const metadata: Metadata = { title: "Sign in · oprl-studio" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next, "/label");
  if (await pageUser()) redirect(next);
  return (
    <div className="mx-auto max-w-sm px-4 py-12">
      <h1 className="text-xl font-semibold">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">No account? Ask an admin for an invite link.</p>
      <SignInForm next={next} />
    </div>
  );
}
