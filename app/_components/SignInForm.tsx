"use client";
// The sign-in form: name + password to /api/auth/sign-in; the server sets the session cookie.
import { safeNext } from "@/lib/contracts/safe-next";
import { send, useApiForm } from "./api";

export function SignInForm({ next }: { next: string }) {
  const { busy, error, fields, submit } = useApiForm();
  return (
    <form
      className="mt-6 grid gap-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const ok = await submit(() =>
          send("/api/auth/sign-in", "POST", { name: String(form.get("name") ?? ""), password: String(form.get("password") ?? "") }),
        );
        // A full navigation: the header and every server component see the new session.
        if (ok) window.location.assign(safeNext(next, "/label"));
      }}
    >
      <label className="grid gap-1 text-sm">
        User name
        <input name="name" autoComplete="username" required autoFocus className="rounded border border-slate-300 px-2 py-1.5" />
        {fields.name && <span className="text-xs text-red-700">{fields.name}</span>}
      </label>
      <label className="grid gap-1 text-sm">
        Password
        <input name="password" type="password" autoComplete="current-password" required className="rounded border border-slate-300 px-2 py-1.5" />
        {fields.password && <span className="text-xs text-red-700">{fields.password}</span>}
      </label>
      {error && (
        <p role="alert" className="text-sm text-red-700" data-testid="sign-in-error">
          {error}
        </p>
      )}
      <button disabled={busy} className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong disabled:opacity-50">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
