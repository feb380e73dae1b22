// Shared plumbing of the route handlers: parse input with zod, map errors to statuses, never leak internals.
import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { getConfig } from "../../config";
import { AppError, isAppError } from "../errors";
import { idSchema } from "../../schemas/experiment";

export type FieldError = { path: string; message: string };

export function fieldErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** 422 with the field errors: the body was well-formed JSON but its values are not acceptable. */
export function unprocessable(what: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): NextResponse {
  const fields = fieldErrors(issues);
  return NextResponse.json(
    { error: { code: "VALIDATION", message: `invalid ${what}`, details: { fields } } },
    { status: 422 },
  );
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

/** The `[id]` of a dynamic route; an id that cannot exist is a 404 for `what`, not a 400. */
export async function routeId(ctx: { params: Promise<{ id: string }> }, what: string): Promise<string> {
  const id = idSchema.safeParse((await ctx.params).id);
  if (!id.success) throw notFound(what);
  return id.data;
}

/**
 * The body as text, refusing more than `limit` bytes with a 413 (checked against Content-Length
 * first, then counted while reading, so a lying or absent length cannot get past it).
 */
export async function readText(req: Request, limit = getConfig().API_MAX_BODY_BYTES): Promise<string> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request body over ${limit} bytes`, { limit });
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body; malformed JSON is a 400 (an empty body counts as `{}`), over the size limit a 413. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION", "request body is not valid JSON", { fields: [{ path: "", message: "not valid JSON" }] });
  }
}

type Parsed<T> = { ok: true; data: T } | { ok: false; response: NextResponse };

export async function parseBody<S extends z.ZodType>(req: Request, schema: S, what: string): Promise<Parsed<z.infer<S>>> {
  const body = await readJson(req);
  const result = schema.safeParse(body);
  return result.success ? { ok: true, data: result.data } : { ok: false, response: unprocessable(what, result.error.issues) };
}

/** Query parameters: a bad one is a 400 with the field named. */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const result = schema.safeParse(params);
  if (!result.success) {
    throw new AppError("VALIDATION", "invalid query parameters", { fields: fieldErrors(result.error.issues) });
  }
  return result.data;
}

/** Runs a handler body and turns thrown errors into JSON responses; unknown errors are a bare 500. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (isAppError(err)) {
      const res = NextResponse.json(err.toJSON(), { status: err.status });
      const retry = (err.details as { retryAfterSec?: number } | undefined)?.retryAfterSec;
      if (err.code === "RATE_LIMITED" && retry) res.headers.set("retry-after", String(retry));
      return res;
    }
    console.error("[api] unexpected error:", err);
    return NextResponse.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500 });
  }
}

export const json = (data: unknown, status = 200) => NextResponse.json(data, { status });
