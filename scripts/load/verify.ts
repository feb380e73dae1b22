// Labels the database holds for a load run's experiment, read after the run: by label id (each with its account's
// name), and pairs holding more labels than they wanted (k = 1 here: labelled twice).
import { openDb } from "../../lib/server/db/client";

export async function storedLabels(databaseUrl: string, experimentId: string): Promise<{ stored: Map<string, string>; overLabelled: number }> {
  const db = await openDb(databaseUrl, { migrate: false });
  try {
    const rows = await db.$queryRaw<{ id: string; name: string }[]>`
      SELECT l."id" AS id, u."name" AS name FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId" JOIN "User" u ON u."id" = l."userId"
      WHERE p."experimentId" = ${experimentId}`;
    const over = await db.$queryRaw<{ n: bigint | number }[]>`
      SELECT COUNT(*) AS n FROM (SELECT l."pairId" FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId"
        WHERE p."experimentId" = ${experimentId} AND l."choice" <> 'skip' GROUP BY l."pairId", p."labelsWanted" HAVING COUNT(*) > p."labelsWanted") t`;
    return { stored: new Map(rows.map((r) => [r.id, r.name])), overLabelled: Number(over[0]?.n ?? 0) };
  } finally {
    await db.$disconnect();
  }
}

/** Compares what the clients were told was saved with what is stored. */
export function compareLabels(acked: Map<string, string>, stored: Map<string, string>) {
  const missing = [...acked.keys()].filter((id) => !stored.has(id)).length;
  const misattributed = [...acked].filter(([id, who]) => stored.has(id) && stored.get(id) !== who).length;
  return { acknowledged: acked.size, stored: stored.size, missing, misattributed, unacknowledged: stored.size - (acked.size - missing) };
}
