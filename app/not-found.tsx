import Link from "next/link";

// Shown (status 404) for a path no page answers, and wherever a page calls notFound(); in the app's own header and look.
export default function NotFound() {
  return (
    <div className="mx-auto max-w-xl px-4 py-12 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-1 text-xl font-semibold">Nothing here</h1>
      <p className="mt-2 text-slate-600">This page does not exist: the link may be mistyped, or what it pointed to was removed.</p>
      <div className="mt-5 flex justify-center gap-2">
        <Link href="/label" className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong">
          Go to labelling
        </Link>
        <Link href="/experiments" className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100">
          Experiments
        </Link>
      </div>
    </div>
  );
}
