// Recognising database errors the same way on SQLite and PostgreSQL, and retrying the
// transient ones.

type KnownError = {
  code?: string;
  meta?: { modelName?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } };
  cause?: { code?: string; kind?: string; originalCode?: string };
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

/** A foreign key refused the write: the row it points at does not exist (from a model call, or from raw SQL). */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = asKnown(err);
  return e.code === "P2003" || driverCode(err) === "23503";
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

/** The driver's own code (SQLITE_BUSY, a PostgreSQL SQLSTATE, ECONNRESET) wherever the error carries it. */
function driverCode(err: unknown): string | undefined {
  const e = asKnown(err);
  return e.meta?.driverAdapterError?.cause?.originalCode ?? e.cause?.originalCode ?? e.cause?.code ?? (e.code && !/^P\d{4}$/.test(e.code) ? e.code : undefined);
}

const UNAVAILABLE_PRISMA_CODES = new Set([
  "P1001", // cannot reach the server
  "P1002", // the server timed out
  "P1008", // operation timed out (SQLite busy timeout, PostgreSQL lock or socket timeout)
  "P1017", // the server closed the connection
  "P2024", // timed out waiting for a pool connection
  "P2037", // too many connections
  "P2034", // write conflict or deadlock
  "P2028", // transaction could not start in time
]);
const UNAVAILABLE_KINDS = new Set(["SocketTimeout", "ConnectionClosed", "TooManyConnections", "TransactionWriteConflict", "DatabaseNotReachable"]);
const UNAVAILABLE_DRIVER_CODES =
  /^(SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL)|40001|40P01|08\w{3}|53\w{3}|57P0[123]|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOSPC)/;

/**
 * The database, not the request, is at fault and it may pass: busy or locked, a write conflict, full, out of
 * connections, unreachable or restarting. The HTTP layer answers these 503 (try again) instead of 500, and the
 * training worker leaves its round to resume instead of failing it.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = asKnown(err);
  if (isTransient(err) || (e.code !== undefined && UNAVAILABLE_PRISMA_CODES.has(e.code))) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind ?? e.cause?.kind;
  if (kind !== undefined && UNAVAILABLE_KINDS.has(kind)) return true;
  const code = driverCode(err);
  if (code !== undefined && UNAVAILABLE_DRIVER_CODES.test(code)) return true;
  // node-postgres reports a dropped connection by message only.
  return err instanceof Error && /Connection terminated|connection (is )?closed|server closed the connection/i.test(err.message);
}

/** Worth running again soon, as is: busy, locked, conflicts, timeouts and dropped connections (not a full disk). */
export function isRetryable(err: unknown): boolean {
  const code = driverCode(err);
  if (code !== undefined && /^(SQLITE_(FULL|IOERR|CANTOPEN)|53100|ENOSPC)/.test(code)) return false;
  return isDatabaseUnavailable(err);
}

/**
 * Runs `fn`; while it fails with an error `retryable` accepts, waits (50 ms, doubling, with jitter) and runs it
 * again, until `budgetMs` has passed since the first try. The last failure is thrown.
 */
export async function withRetryFor<T>(fn: () => Promise<T>, budgetMs: number, retryable: (err: unknown) => boolean = isRetryable): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const pause = Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (!retryable(err) || Date.now() + pause > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
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
