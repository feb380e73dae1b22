// Which SQL dialect a client (or a transaction) speaks, for the few raw queries that differ between SQLite and
// PostgreSQL (reading fields of a JSON text column). Prisma keeps the provider on every client and transaction.
import "server-only";
import type { DbOrTx } from "./client";

export type SqlDialect = "sqlite" | "postgresql";

export function dialectOf(db: DbOrTx): SqlDialect {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  if (provider === "sqlite" || provider === "postgresql") return provider;
  // A Prisma upgrade that renames the field must fail loudly here (the database tests run both providers).
  throw new Error(`unknown database provider ${String(provider)}`);
}
