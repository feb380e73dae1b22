"use client";
// The header's account corner: who is signed in, a link to the account page, and sign out.
import Link from "next/link";
import { send } from "./api";

export function UserMenu({ name, role }: { name: string; role: string }) {
  return (
    <span className="flex min-w-0 items-center gap-1 text-sm sm:gap-2">
      <Link href="/account" className="flex min-w-0 items-baseline gap-1 rounded px-2 py-0.5 text-slate-300 hover:bg-slate-700" data-testid="user-menu">
        <strong className="max-w-[8rem] truncate text-white">{name}</strong> <span className="hidden text-xs text-slate-400 sm:inline">{role}</span>
      </Link>
      <button
        type="button"
        className="shrink-0 whitespace-nowrap rounded px-2 py-0.5 text-slate-300 hover:bg-slate-700"
        onClick={async () => {
          await send("/api/auth/sign-out", "POST", {}).catch(() => null);
          // A full page load on purpose: the server renders the header and page anew for the changed session.
          // eslint-disable-next-line @next/next/no-location-assign-relative-destination
          window.location.assign("/sign-in");
        }}
      >
        Sign out
      </button>
    </span>
  );
}
