import type { Metadata } from "next";
import Link from "next/link";
import { pageDb } from "@/lib/server/auth/page";
import { inviteInfo } from "@/lib/server/auth/users";
import { InviteForm } from "../../_components/InviteForm";

// The token is in the URL: do not send it on as a Referer.
export const metadata: Metadata = { title: "Set up your account · oprl-studio", referrer: "no-referrer" };

const TITLES = { setup: "Create the admin account", invite: "Create your account", reset: "Choose a new password" } as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const info = await inviteInfo(await pageDb(), token);
  if (!info) {
    return (
      <div className="mx-auto max-w-sm px-4 py-12" data-testid="invite-invalid">
        <h1 className="text-xl font-semibold">This link does not work</h1>
        <p className="mt-2 text-sm text-slate-600">It was used already, has expired or was revoked. Ask an admin for a new one.</p>
        <Link href="/sign-in" className="mt-4 inline-block text-sm text-blue-700 underline">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-sm px-4 py-12">
      <h1 className="text-xl font-semibold">{TITLES[info.purpose]}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {info.purpose === "reset" ? `For the account ${info.user}.` : `You will sign in as ${info.purpose === "setup" ? "the admin" : `a ${info.role}`}.`} The
        link works once, until {new Date(info.expiresAt).toUTCString()}.
      </p>
      <InviteForm token={token} askName={info.purpose !== "reset"} />
    </div>
  );
}
