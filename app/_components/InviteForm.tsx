"use client";
// Uses a one-time link: choose a name (new accounts) and a password, then go on signed in.
import { send, useApiForm } from "./api";

/** The fields this form shows an error beside; an error on any other (the token) is about the link itself. */
const SHOWN = ["name", "password", "repeat"];

export function InviteForm({ token, askName }: { token: string; askName: boolean }) {
  const { busy, error, fields, setFields, submit } = useApiForm();
  // A wrong field on a valid link is shown beside the field only; a bad token says the link is the problem.
  const message = fields.token
    ? "This link is not valid: check that it was copied whole, or ask for a new one."
    : Object.keys(fields).some((k) => SHOWN.includes(k))
      ? null
      : error;
  return (
    <form
      className="mt-6 grid gap-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        const password = String(form.get("password") ?? "");
        if (password !== String(form.get("repeat") ?? "")) {
          setFields({ repeat: "the two passwords differ" });
          return;
        }
        const ok = await submit(() => send("/api/auth/invite", "POST", { token, password, ...(askName ? { name: String(form.get("name") ?? "") } : {}) }));
        // A full page load on purpose: the server renders the header and page anew for the changed session.
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination
        if (ok) window.location.assign("/label");
      }}
    >
      {askName && (
        <label className="grid gap-1 text-sm">
          User name
          <input name="name" autoComplete="username" required autoFocus className="rounded border border-slate-300 px-2 py-1.5" />
          <span className="text-xs text-slate-500">2-40 letters, digits or _ . @ -</span>
          {fields.name && (
            <span className="text-xs text-red-700" data-testid="error-name">
              {fields.name}
            </span>
          )}
        </label>
      )}
      <label className="grid gap-1 text-sm">
        Password
        <input name="password" type="password" autoComplete="new-password" required className="rounded border border-slate-300 px-2 py-1.5" />
        <span className="text-xs text-slate-500">At least 8 characters.</span>
        {fields.password && (
          <span className="text-xs text-red-700" data-testid="error-password">
            {fields.password}
          </span>
        )}
      </label>
      <label className="grid gap-1 text-sm">
        Repeat the password
        <input name="repeat" type="password" autoComplete="new-password" required className="rounded border border-slate-300 px-2 py-1.5" />
        {fields.repeat && (
          <span className="text-xs text-red-700" data-testid="error-repeat">
            {fields.repeat}
          </span>
        )}
      </label>
      {message && (
        <p role="alert" className="text-sm text-red-700" data-testid="invite-error">
          {message}
        </p>
      )}
      <button disabled={busy} className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong disabled:opacity-50">
        {askName ? "Create account" : "Set password"}
      </button>
    </form>
  );
}
