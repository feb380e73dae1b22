// Recognising database errors the same way on SQLite and PostgreSQL, and retrying the
// transient ones.

type KnownError = {
  code?: string;
  meta?: { modelName?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } };
};

function asKnown(err: unknown): KnownError {
  return typeof err === "object" && err !== null ? (err as KnownError) : {};
}

/** A unique constraint refused the write (optionally: on this model). */
import "server-only";
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
export async function withRetry<T>(fn: () => Promise<T>, retryable: (err: unknown) => boolean = isTransient, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
