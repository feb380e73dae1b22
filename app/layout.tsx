import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { hasRole } from "@/lib/server/auth/guard";
import { pageUser } from "@/lib/server/auth/page";
import { UserMenu } from "./_components/UserMenu";
import "./globals.css";

export const metadata: Metadata = {
  title: "oprl-studio",
  description: "Online Process Reward Learning: label trajectory pairs, learn step rewards.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

const navLink = "rounded px-2 py-0.5 text-sm hover:bg-slate-700";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The header shows what the role may open; every page and route checks again on its own.
  const user = await pageUser();
  return (
    <html lang="en">
      <body className="min-h-screen bg-surface-page text-slate-900 antialiased">
        <header className="bg-surface-header text-white">
          {/* Wraps rather than widening the page: at 390 px every link and "Sign out" stay inside the header. */}
          <nav className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-1 gap-y-1 px-3 py-2 sm:gap-3 sm:px-4">
            <Link href="/" className="mr-2 font-semibold tracking-tight">
              oprl-studio
            </Link>
            {user && (
              <Link href="/label" className={navLink}>
                Label
              </Link>
            )}
            {hasRole(user, "researcher") && (
              <Link href="/experiments" className={navLink}>
                Experiments
              </Link>
            )}
            {hasRole(user, "admin") && (
              <Link href="/admin/users" className={navLink}>
                Users
              </Link>
            )}
            <span className="ml-auto min-w-0">
              {user ? (
                <UserMenu name={user.name} role={user.role} />
              ) : (
                <Link href="/sign-in" className={navLink}>
                  Sign in
                </Link>
              )}
            </span>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
