import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { UserName } from "./_components/UserName";
import "./globals.css";

export const metadata: Metadata = {
  title: "oprl-studio",
  description: "Online Process Reward Learning: label trajectory pairs, learn step rewards.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <header className="bg-slate-800 text-white">
          <nav className="mx-auto flex max-w-6xl items-center gap-1 px-3 py-2 sm:gap-3 sm:px-4">
            <Link href="/" className="mr-2 font-semibold tracking-tight">
              oprl-studio
            </Link>
            <Link href="/label" className="rounded px-2 py-0.5 text-sm hover:bg-slate-700">
              Label
            </Link>
            <Link href="/experiments" className="rounded px-2 py-0.5 text-sm hover:bg-slate-700">
              Experiments
            </Link>
            <span className="ml-auto">
              <UserName />
            </span>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
