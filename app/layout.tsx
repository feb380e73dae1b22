import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "oprl-studio",
  description: "Online Process Reward Learning: label trajectory pairs, learn step rewards.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
