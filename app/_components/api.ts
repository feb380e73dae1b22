// Browser-side fetch helpers shared by the pages (SWR fetcher, JSON mutations, form state).
import { useState } from "react";
import type { FieldError } from "@/lib/contracts/errors";

export type { FieldError } from "@/lib/contracts/errors";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = body?.error ?? {};
    // The session ended (expired, signed out elsewhere, account disabled): back to the sign-in page.
    if (res.status === 401 && typeof window !== "undefined" && !window.location.pathname.startsWith("/sign-in")) {
      // A full page load on purpose: the server renders the header and page anew for the changed session.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    }
    throw new ApiError(res.status, err.code ?? "HTTP", err.message ?? `request failed (${res.status})`, err.details?.fields ?? []);
  }
  return body as T;
}

export const fetcher = <T>(url: string): Promise<T> => fetch(url, { cache: "no-store" }).then((r) => parse<T>(r));

export function send<T>(url: string, method: "POST" | "PATCH" | "PUT" | "DELETE", body?: unknown): Promise<T> {
  return fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => parse<T>(r));
}

/** Field errors keyed by their dotted path ("maze.text"). */
export function byPath(fields: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.path] ??= f.message;
  return out;
}

/**
 * The state every API-backed form keeps: busy while the request runs, then the server's message and its
 * field errors (by path). `submit` clears them, runs the request and fills them from an ApiError; after a
 * success it stays busy, since the caller moves on (navigates) and a second click must not resend.
 */
export function useApiForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const submit = async (request: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await request();
      return true;
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        setError(err.message);
        setFields(byPath(err.fields));
      } else setError("could not reach the server");
      return false;
    }
  };
  return { busy, error, fields, setFields, submit };
}
