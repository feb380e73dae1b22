import type { Metadata } from "next";
import { requirePageUser } from "@/lib/server/auth/page";
import { AccountForms } from "../_components/AccountForms";

export const metadata: Metadata = { title: "Your account · oprl-studio" };

export default async function AccountPage() {
  const user = await requirePageUser("labeler", "/account");
  return (
    <div className="mx-auto max-w-md px-4 py-8">
      <h1 className="text-xl font-semibold">Your account</h1>
      <p className="mt-1 text-sm text-slate-600">
        Signed in as <strong data-testid="account-name">{user.name}</strong> ({user.role}).
      </p>
      <AccountForms />
    </div>
  );
}
