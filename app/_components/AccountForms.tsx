"use client";
// Change one's password (ends the account's other sessions), or sign out on every device.
import { useState } from "react";
import { ApiError, byPath, send } from "./api";

export function AccountForms() {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="mt-6 grid gap-6">
      <form
        className="grid gap-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
        onSubmit={async (e) => {
          e.preventDefault();
          const el = e.currentTarget;
          const form = new FormData(el);
          setFields({});
          setMessage(null);
          try {
            await send("/api/me/password", "PUT", { currentPassword: String(form.get("current") ?? ""), newPassword: String(form.get("new") ?? "") });
            el.reset();
            setMessage("Password changed. Other devices are signed out.");
          } catch (err) {
            if (err instanceof ApiError) {
              setFields(byPath(err.fields));
              setMessage(err.fields.length ? null : err.message);
            }
          }
        }}
      >
        <h2 className="font-semibold">Change password</h2>
        <label className="grid gap-1 text-sm">
          Current password
          <input name="current" type="password" autoComplete="current-password" required className="rounded border border-slate-300 px-2 py-1.5" />
          {fields.currentPassword && <span className="text-xs text-red-700">{fields.currentPassword}</span>}
        </label>
        <label className="grid gap-1 text-sm">
          New password
          <input name="new" type="password" autoComplete="new-password" required className="rounded border border-slate-300 px-2 py-1.5" />
          {fields.newPassword && <span className="text-xs text-red-700">{fields.newPassword}</span>}
        </label>
        <button className="justify-self-start rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong">Change password</button>
        {message && (
          <p role="status" className="text-sm text-slate-700">
            {message}
          </p>
        )}
      </form>
      <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="font-semibold">Sessions</h2>
        <p className="mt-1 text-sm text-slate-600">Sign out here and on every other device where this account is signed in.</p>
        <button
          type="button"
          className="mt-3 rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
          onClick={async () => {
            await send("/api/auth/sign-out", "POST", { everywhere: true });
            // A full page load on purpose: the server renders the header and page anew for the changed session.
            // eslint-disable-next-line @next/next/no-location-assign-relative-destination
            window.location.assign("/sign-in");
          }}
        >
          Sign out everywhere
        </button>
      </div>
    </div>
  );
}
