// Shared plumbing of the route handlers: parse input with zod, map errors to statuses, never leak internals.
import { NextResponse } from "next/server";
import type { z } from "zod";
import { AppError, isAppError } from "./errors";

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

/** Reads a JSON body; malformed JSON is a 400 (an empty body counts as `{}`). */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
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
    if (isAppError(err)) return NextResponse.json(err.toJSON(), { status: err.status });
    console.error("[api] unexpected error:", err);
    return NextResponse.json({ error: { code: "INTERNAL", message: "internal error" } }, { status: 500 });
  }
}

export const json = (data: unknown, status = 200) => NextResponse.json(data, { status });
