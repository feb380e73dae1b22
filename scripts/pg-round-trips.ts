// Counts round trips to PostgreSQL where every one passes: pg's Client.query (Prisma's query log leaves out BEGIN and
// COMMIT, and each of those is a round trip too). Used by `npm run bench:queue` and the label path's budget test.
import pg from "pg";

export type RoundTripCounter = { readonly n: number; stop: () => void };

/** Starts counting every statement any pg client of this process sends, until stop(). One counter at a time. */
export function countPgRoundTrips(): RoundTripCounter {
  const original = pg.Client.prototype.query;
  let n = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    get n() {
      return n;
    },
    stop: () => void (pg.Client.prototype.query = original),
  };
}
