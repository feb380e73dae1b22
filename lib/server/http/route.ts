// The one wrapper every handler under app/api is written with. It checks the caller (requireUser: 401 signed out,
// 403 role too low or a cross-site state change), reads the `[id]` params (an id that cannot exist is a 404),
// the query and the JSON body with their zod schemas (bad values: 422 VALIDATION with details.fields; malformed
// JSON: 400 MALFORMED_JSON; too big: 413), hands the handler the database, and answers with its result as JSON,
// checked against the response schema outside production (a mismatch throws, so tests fail on it). Every
// AppError becomes its code's status. A busy, locked or briefly unreachable database is retried with backoff for
// DB_RETRY_MS (idempotent requests only: the handler runs again), then answered 503 with Retry-After; anything
// else is a bare 500 that never leaks internals. Answers are never cached (Cache-Control: no-store).
//
//   export const GET = route({ role: "researcher", params: { id: "experiment" }, response: experimentResponse },
//     async ({ db, params }) => ({ experiment: await getExperimentDto(db, params.id) }));
import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { idSchema } from "../../contracts/ids";
import type { Role, SessionUser } from "../../contracts/auth";
import { assertSameOrigin, clearSessionCookie, requireUser, setSessionCookie } from "../auth/guard";
import { getConfig } from "../../config";
import { getDb, type Db } from "../db/client";
import { isDatabaseUnavailable, withRetryFor } from "../db/errors";
import { AppError, isAppError, validationError } from "../errors";
import { readJson } from "./body";

/** Who may call: at least this role, or "public" (no session needed; state changes still same-site only). */
export type Access = Role | "public";

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<A extends Access, P extends string, Q extends Schema, B extends Schema, R extends Schema> {
  role: A;
  /** Dynamic segments, each an id, with what it names: `{ id: "experiment" }` answers "experiment not found". */
  params?: Record<P, string>;
  query?: Q;
  body?: B;
  /** What the body is, for "invalid <name>" (default "request body"). */
  name?: string;
  /** The JSON answer's schema; without one the handler returns its own Response (a stream). */
  response?: R;
  /** The success status (default 200). */
  status?: number;
  /**
   * The handler may run twice for one request without harm (an upsert, a label by its id): a busy database is
   * retried for it. GET, HEAD, PUT, PATCH and DELETE are taken as idempotent; a POST only when this says so.
   */
  idempotent?: boolean;
}

export interface RouteContext<A extends Access, P extends string, Q, B> {
  req: Request;
  db: Db;
  user: A extends "public" ? null : SessionUser;
  params: Record<P, string>;
  query: Q;
  body: B;
  /** Start a session (the sealed cookie value) or end it, on the answer. */
  session: { start(cookie: string): void; end(): void };
}

type Handler<A extends Access, P extends string, Q extends Schema, B extends Schema, R extends Schema> = (
  ctx: RouteContext<A, P, Out<Q>, Out<B>>,
) => Promise<R extends z.ZodType ? z.input<R> : Response>;

/** What Next calls: the request, and the dynamic segments as a promise (tests may leave them out where there are none). */
export type RouteHandler<P extends string> = {
  (req: Request): Promise<Response>;
  (req: Request, ctx: { params: Promise<Record<P, string>> }): Promise<Response>;
};

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

export function route<
  const A extends Access,
  P extends string = never,
  Q extends Schema = undefined,
  B extends Schema = undefined,
  R extends Schema = undefined,
>(spec: RouteSpec<A, P, Q, B, R>, handler: Handler<A, P, Q, B, R>): RouteHandler<P> {
  return async (req: Request, routeCtx?: { params: Promise<Record<P, string>> }) => {
    try {
      const db = await getDb();
      let user: SessionUser | null = null;
      if (spec.role === "public") assertSameOrigin(req);
      else user = await requireUser(db, req, spec.role);
      const params = await readParams(spec.params, routeCtx);
      const query = spec.query ? parseWith(spec.query, Object.fromEntries(new URL(req.url).searchParams), "query parameters") : undefined;
      const body = spec.body ? parseWith(spec.body, await readJson(req), spec.name ?? "request body") : undefined;
      let cookie: string | null = null;
      const session = { start: (value: string) => void (cookie = value), end: () => void (cookie = "") };
      const ctx = { req, db, user, params, query, body, session } as RouteContext<A, P, Out<Q>, Out<B>>;
      const result: unknown =
        spec.idempotent !== false && (spec.idempotent || req.method !== "POST")
          ? await withRetryFor(() => handler(ctx), getConfig().DB_RETRY_MS)
          : await handler(ctx);
      if (!spec.response) {
        if (!(result instanceof Response)) throw new Error("a route without a response schema must return a Response");
        return result;
      }
      if (process.env.NODE_ENV !== "production") checkResponse(spec.response, result, req);
      const res = NextResponse.json(result, { status: spec.status ?? 200, headers: NO_STORE });
      if (cookie === "") clearSessionCookie(res, req);
      else if (cookie !== null) setSessionCookie(res, req, cookie);
      return res;
    } catch (err) {
      return errorResponse(err, req);
    }
  };
}

async function readParams<P extends string>(spec: Record<P, string> | undefined, ctx?: { params: Promise<Record<P, string>> }) {
  const out = {} as Record<P, string>;
  if (!spec) return out;
  const raw: Partial<Record<P, string>> = (await ctx?.params) ?? {};
  for (const key of Object.keys(spec) as P[]) {
    const id = idSchema.safeParse(raw[key]);
    if (!id.success) throw notFound(spec[key]);
    out[key] = id.data;
  }
  return out;
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(what, result.error.issues, { summary: false });
  return result.data;
}

/** The answer must be what the contract says (development and tests only): a mismatch is a bug, not a 4xx. */
function checkResponse(schema: z.ZodType, data: unknown, req: Request): void {
  const result = schema.safeParse(data);
  if (result.success) return;
  const where = result.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ");
  throw new Error(`response of ${req.method} ${new URL(req.url).pathname} breaks its contract: ${where}`);
}

const NO_STORE = { "cache-control": "no-store" };
/** Seconds a 503 asks the client to wait. */
const UNAVAILABLE_RETRY_SEC = 5;

/**
 * AppError: its code's status and JSON (429 and 503 with retry-after); a request its client abandoned: one log
 * line and a 499 nobody reads; a database fault: 503; anything else: a logged, bare 500.
 */
export function errorResponse(err: unknown, req?: Request): Response {
  if (isAppError(err, "CLIENT_CLOSED") || (req?.signal.aborted && !isAppError(err))) {
    console.warn(`[api] client closed the request before the answer: ${req ? `${req.method} ${new URL(req.url).pathname}` : "(unknown request)"}`);
    return NextResponse.json(new AppError("CLIENT_CLOSED", "client closed the request").toJSON(), { status: 499, headers: NO_STORE });
  }
  if (!isAppError(err) && isDatabaseUnavailable(err)) {
    // One line, no stack: the operator needs to know the database is struggling, not where the request was.
    console.error(`[api] database unavailable: ${oneLine(err)}`);
    err = new AppError("UNAVAILABLE", "the database is busy or unavailable: try again in a few seconds", { retryAfterSec: UNAVAILABLE_RETRY_SEC });
  }
  if (isAppError(err)) {
    const res = NextResponse.json(err.toJSON(), { status: err.status, headers: NO_STORE });
    const retry = (err.details as { retryAfterSec?: number } | undefined)?.retryAfterSec;
    if ((err.code === "RATE_LIMITED" || err.code === "UNAVAILABLE") && retry) res.headers.set("retry-after", String(retry));
    return res;
  }
  console.error("[api] unexpected error:", err);
  return NextResponse.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500, headers: NO_STORE });
}

function oneLine(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.code ?? ""} ${(e.message ?? String(err)).split("\n").filter(Boolean).pop() ?? ""}`.trim().slice(0, 300);
}

/**
 * Lines of text as a streamed JSONL download. The first line is read before answering, so an error there (an
 * unknown id) is still a proper error response and not a broken stream.
 */
export async function jsonlDownload(lines: AsyncGenerator<string>, filename: string): Promise<Response> {
  const first = await lines.next();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(encoder.encode(first.value + "\n"));
      if (first.done) controller.close();
    },
    async pull(controller) {
      if (first.done) return;
      const { value, done } = await lines.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value + "\n"));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
