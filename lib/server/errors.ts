import "server-only";
import type { z } from "zod";
import type { FieldError } from "../contracts/errors";

// One error type for everything the data layer refuses, so a route (or the CLI) can map
// it to a status without knowing which function threw it: one status per code.

export const ERROR_STATUS = {
  /** Well-formed input whose values are not acceptable (body, query or a domain check); `details.fields` names them. */
  VALIDATION: 422,
  /** A request body that is not JSON at all. */
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  /** A method the route (or the app) does not answer. */
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  /** A body that is not JSON by its Content-Type (a form post, text/plain) on a JSON route. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LEASE_REQUIRED: 409,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAIR_CLOSED: 409,
  /** The client went away mid-request (nginx's 499): nobody reads the answer; logged as such, never as a 500. */
  CLIENT_CLOSED: 499,
  INTERNAL: 500,
  /** The database is busy, locked, full or unreachable for longer than the retries wait: try again later. */
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable context (field errors, line numbers, ids). */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

export type { FieldError } from "../contracts/errors";
type Issues = ReadonlyArray<{ path: PropertyKey[]; message: string }>;

/** zod issues as field errors: the dotted path ("maze.text") and the message. */
export function fieldErrors(issues: Issues): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/**
 * Turns a zod failure into a VALIDATION AppError listing the offending fields. The message names `what` and, unless
 * `summary` is false (the HTTP layer: the fields travel in `details`), each field.
 */
export function validationError(what: string, issues: Issues, { summary: withSummary = true } = {}): AppError {
  const fields = fieldErrors(issues);
  if (!withSummary) return new AppError("VALIDATION", `invalid ${what}`, { fields });
  const summary = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
  return new AppError("VALIDATION", `invalid ${what}: ${summary}`, { fields });
}

/** Parses `input` with `schema` or throws a VALIDATION AppError naming `what` and each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(what, result.error.issues);
  return result.data;
}
