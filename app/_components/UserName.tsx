"use client";
// Who is labelling: a name kept in the oprl_user cookie (sent with every request) until sign-in exists.
import { useEffect, useState } from "react";
import { fetcher, send } from "./api";

export function UserName() {
  const [name, setName] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetcher<{ name: string }>("/api/me").then((r) => setName(r.name), () => setName("guest"));
  }, []);
  if (editing) {
    return (
      <form
        className="flex items-center gap-1"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await send<{ name: string }>("/api/me", "PUT", { name: draft });
            setName(r.name);
            setEditing(false);
            setError(null);
            window.location.reload();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <input
          autoFocus
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          className="w-28 rounded border border-slate-500 bg-slate-700 px-1.5 py-0.5 text-sm text-white"
          aria-label="Your name"
        />
        <button className="rounded bg-slate-600 px-2 py-0.5 text-xs">Save</button>
        {error && <span className="text-xs text-red-300">{error}</span>}
      </form>
    );
  }
  return (
    <button
      type="button"
      className="rounded px-2 py-0.5 text-sm text-slate-300 hover:bg-slate-700"
      onClick={() => {
        setDraft(name ?? "");
        setEditing(true);
      }}
      title="Change the name your labels are recorded under"
    >
      Labelling as <strong className="text-white">{name ?? "…"}</strong>
    </button>
  );
}
