"use client";
// The admin's user management: accounts (role, disable, password reset link), new accounts, invite links.
import { useRef, useState } from "react";
import useSWR from "swr";
import type { InviteDto, NewLinkDto, UserDto } from "@/lib/contracts/auth";
import { ROLES, type Role } from "@/lib/contracts/words";
import { ApiError, byPath, fetcher, send } from "./api";

const cell = "px-2 py-1.5 text-left";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

function LinkBox({ link, onClose }: { link: NewLinkDto; onClose: () => void }) {
  // "copied" only once the clipboard took it; refused (no permission, plain http): the link is selected to copy by hand.
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="rounded border border-emerald-300 bg-emerald-50 p-3 text-sm" data-testid="new-link">
      <p className="font-medium">
        {link.purpose === "reset" ? `Password reset link for ${link.user}` : `Invite link for a new ${link.role}`} — shown once, works once, until{" "}
        {when(link.expiresAt)}:
      </p>
      <div className="mt-2 flex gap-2">
        <input
          ref={input}
          readOnly
          value={link.url}
          className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
          data-testid="new-link-url"
          onFocus={(e) => e.target.select()}
        />
        <button
          type="button"
          className="rounded bg-slate-800 px-2 py-1 text-xs text-white"
          data-testid="copy-link"
          onClick={async () => {
            try {
              if (!navigator.clipboard) throw new Error("no clipboard");
              await navigator.clipboard.writeText(link.url);
              setCopy("copied");
            } catch {
              setCopy("failed");
              input.current?.focus();
              input.current?.select();
            }
          }}
        >
          {copy === "copied" ? "Copied" : "Copy"}
        </button>
        <button type="button" className="rounded border border-slate-300 px-2 py-1 text-xs" onClick={onClose}>
          Done
        </button>
      </div>
      {copy === "failed" && (
        <p className="mt-1 text-xs text-amber-800" role="status" data-testid="copy-failed">
          Could not copy: the link is selected, copy it by hand (Ctrl+C or ⌘C).
        </p>
      )}
    </div>
  );
}

export function UsersAdmin({ meId }: { meId: string }) {
  const users = useSWR<{ users: UserDto[] }>("/api/users", fetcher);
  const invites = useSWR<{ invites: InviteDto[] }>("/api/invites", fetcher);
  const [link, setLink] = useState<NewLinkDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [inviteRole, setInviteRole] = useState<Role>("labeler");

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "could not reach the server");
    }
    await Promise.all([users.mutate(), invites.mutate()]);
  };

  return (
    <div className="mx-auto grid max-w-6xl gap-6 px-3 py-4 sm:px-4" data-testid="users-page">
      <div>
        <h1 className="text-xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">
          Labelers label; researchers also create experiments, switch labelling modes and export data; admins also run rounds and manage users.
        </p>
      </div>
      {link && <LinkBox link={link} onClose={() => setLink(null)} />}
      {error && (
        <p role="alert" className="text-sm text-red-700" data-testid="users-error">
          {error}
        </p>
      )}
      <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-sm" data-testid="users-table">
          <thead className="bg-slate-100 text-xs uppercase text-slate-500">
            <tr>
              <th className={cell}>Name</th>
              <th className={cell}>Role</th>
              <th className={cell}>Labels</th>
              <th className={cell}>Last sign-in</th>
              <th className={cell}>Status</th>
              <th className={cell} />
            </tr>
          </thead>
          <tbody>
            {users.data?.users.map((u) => (
              <tr key={u.id} className="border-t border-slate-100" data-testid={`user-${u.name}`}>
                <td className={cell}>
                  {u.name}
                  {u.id === meId && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                </td>
                <td className={cell}>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role}
                    onChange={(e) => act(() => send(`/api/users/${u.id}`, "PATCH", { role: e.target.value }))}
                    className="rounded border border-slate-300 px-1 py-0.5"
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td className={cell}>{u.labels}</td>
                <td className={cell}>{when(u.lastSignInAt)}</td>
                <td className={cell}>
                  {u.disabled ? <span className="text-red-700">disabled</span> : u.hasPassword ? "active" : <span className="text-amber-700">no password</span>}
                </td>
                <td className={`${cell} whitespace-nowrap text-right`}>
                  <button
                    type="button"
                    className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
                    onClick={() => act(async () => setLink((await send<{ link: NewLinkDto }>(`/api/users/${u.id}/reset`, "POST")).link))}
                  >
                    Reset link
                  </button>
                  {u.id !== meId && (
                    <button
                      type="button"
                      className="ml-1 rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
                      onClick={() => act(() => send(`/api/users/${u.id}`, "PATCH", { disabled: !u.disabled }))}
                    >
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <div className="grid gap-6 md:grid-cols-2">
        <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <h2 className="font-semibold">Invite someone</h2>
          <p className="text-sm text-slate-600">A one-time link: they choose their own name and password.</p>
          <div className="mt-3 flex items-center gap-2">
            <select
              aria-label="Role for the invite"
              value={inviteRole}
              onChange={(e) => setInviteRole(e.target.value as Role)}
              className="rounded border border-slate-300 px-2 py-1 text-sm"
            >
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
            <button
              type="button"
              className="rounded bg-primary px-3 py-1.5 text-sm font-medium text-white hover:bg-primary-strong"
              onClick={() => act(async () => setLink((await send<{ link: NewLinkDto }>("/api/invites", "POST", { role: inviteRole })).link))}
            >
              Create invite link
            </button>
          </div>
          <h3 className="mt-4 text-sm font-semibold">Open links</h3>
          <ul className="mt-1 grid gap-1 text-sm" data-testid="invites">
            {invites.data?.invites.length === 0 && <li className="text-slate-500">none</li>}
            {invites.data?.invites.map((i) => (
              <li key={i.id} className="flex items-center gap-2">
                <span>
                  {i.purpose === "reset" ? `reset for ${i.user}` : `${i.purpose} (${i.role})`}, until {when(i.expiresAt)}
                </span>
                <button
                  type="button"
                  className="ml-auto rounded border border-slate-300 px-2 py-0.5 text-xs"
                  onClick={() => act(() => send(`/api/invites/${i.id}`, "DELETE"))}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </section>

        <form
          className="grid content-start gap-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
          onSubmit={async (e) => {
            e.preventDefault();
            const el = e.currentTarget;
            const form = new FormData(el);
            setFields({});
            setError(null);
            try {
              await send("/api/users", "POST", {
                name: String(form.get("name") ?? ""),
                role: String(form.get("role")),
                password: String(form.get("password") ?? ""),
              });
              el.reset();
            } catch (err) {
              if (err instanceof ApiError) {
                setFields(byPath(err.fields));
                if (!err.fields.length) setError(err.message);
              }
            }
            await users.mutate();
          }}
        >
          <h2 className="font-semibold">Create an account</h2>
          <p className="text-sm text-slate-600">With a first password you pass on yourself.</p>
          <label className="grid gap-1 text-sm">
            User name
            <input name="name" required className="rounded border border-slate-300 px-2 py-1" />
            {fields.name && (
              <span className="text-xs text-red-700" data-testid="error-name">
                {fields.name}
              </span>
            )}
          </label>
          <label className="grid gap-1 text-sm">
            Role
            <select name="role" defaultValue="labeler" className="rounded border border-slate-300 px-2 py-1">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label className="grid gap-1 text-sm">
            Password
            <input name="password" type="password" autoComplete="new-password" required className="rounded border border-slate-300 px-2 py-1" />
            {fields.password && (
              <span className="text-xs text-red-700" data-testid="error-password">
                {fields.password}
              </span>
            )}
          </label>
          <button className="justify-self-start rounded bg-slate-800 px-3 py-1.5 text-sm text-white hover:bg-slate-700">Create account</button>
        </form>
      </div>
    </div>
  );
}
