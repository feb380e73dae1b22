// Recognising database errors the same way on SQLite and PostgreSQL, and retrying the
// transient ones.
import { getRandomValues } from "node:crypto";

type KnownError = {
  code?: string;
  meta?: { modelName?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } };
};

function asKnown(err: unknown): KnownError {
  return typeof err === "object" && err !== null ? (err as KnownError) : {};
}

/** A unique constraint refused the write (optionally: on this model). */
export function isUniqueViolation(err: unknown, model?: string): boolean {
  const e = asKnown(err);
  return e.code === "P2002" && (model === undefined || e.meta?.modelName === model);
}

/** A foreign key refused the write: the row it points at does not exist. */
export function isForeignKeyViolation(err: unknown): boolean {
  return asKnown(err).code === "P2003";
}

const TRANSIENT_DRIVER_CODES = new Set([
  "40001", // PostgreSQL serialization_failure
  "40P01", // PostgreSQL deadlock_detected
  "SQLITE_BUSY",
  "SQLITE_BUSY_SNAPSHOT",
  "SQLITE_LOCKED",
]);

/** Worth trying again as is: write conflicts, deadlocks, a busy database, a transaction that could not start in time. */
export function isTransient(err: unknown): boolean {
  const e = asKnown(err);
  if (e.code === "P2034" || e.code === "P2028") return true;
  const driverCode = e.meta?.driverAdapterError?.cause?.originalCode;
  return driverCode !== undefined && TRANSIENT_DRIVER_CODES.has(driverCode);
}

/**
 * Runs `fn`, again (up to `attempts` times, with a short random pause) while it fails with
 * an error `retryable` accepts. Other errors, and the last failure, are thrown.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  retryable: (err: unknown) => boolean = isTransient,
  attempts = 6,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/**
 * A version 7 uuid: time-ordered, so rows inserted together sit together in indexes and
 * sort in creation order. Within one millisecond a counter in the 12 "rand_a" bits keeps
 * ids of this process increasing (RFC 9562, method 1). Used where ids are needed before
 * inserting (bulk inserts); the schema's default makes the same kind.
 */
let lastMs = -1;
let sequence = 0;
export function uuidv7(now = Date.now()): string {
  const bytes = new Uint8Array(16);
  getRandomValues(bytes);
  if (now > lastMs) {
    lastMs = now;
    sequence = bytes[7] & 0x7f; // random start, leaving room to count up
  } else {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++; // counter exhausted: borrow the next millisecond
      sequence = 0;
    }
  }
  let ms = lastMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
