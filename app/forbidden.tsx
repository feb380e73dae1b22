import Link from "next/link";

// Shown (status 403) when a signed-in account lacks the role a page needs.
export default function Forbidden() {
  return (
    <div className="mx-auto max-w-xl px-4 py-12 text-center" data-testid="forbidden">
      <h1 className="text-xl font-semibold">Not for your role</h1>
      <p className="mt-2 text-slate-600">Your account cannot open this page. Ask an admin if you need it.</p>
      <Link href="/label" className="mt-4 inline-block rounded bg-slate-800 px-3 py-1.5 text-sm text-white hover:bg-slate-700">
        Go to labelling
      </Link>
    </div>
  );
}
