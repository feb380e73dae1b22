// `npm run loadtest -- --url URL [--url URL2 ...]`: the labellers against servers someone else started.
import { LoadRun } from "./labellers";
import { dbCpuSource, measurePhase } from "./measure";
import { jsonReport, phaseTable, TABLE_HEAD } from "./report";
import { seedInDatabase, seedThroughApi, signInSpread } from "./setup";
import { compareLabels, storedLabels } from "./verify";

export interface RemoteOptions {
  urls: string[];
  pids: number[];
  databaseUrl?: string;
  admin: { name: string; password?: string };
  pairs: number;
  connections: number;
  duration: number;
}

export async function loadRunningServers(o: RemoteOptions): Promise<boolean> {
  const bases = o.urls.map((u) => new URL(u).origin);
  const prefix = `load${Date.now().toString(36)}`;
  let seeded;
  if (o.databaseUrl) {
    console.log(`[load] seeding ${o.pairs} pairs and ${o.connections} labeller accounts in the database…`);
    seeded = await seedInDatabase(o.databaseUrl, { pairs: o.pairs, users: o.connections, prefix });
  } else {
    if (!o.admin.password) throw new Error("give --admin-password (or LOADTEST_ADMIN_PASSWORD), or --database-url to seed in the database");
    seeded = await seedThroughApi(bases[0], { name: o.admin.name, password: o.admin.password }, { pairs: o.pairs, users: o.connections, prefix }, console.log);
  }
  const labellers = await signInSpread(bases, seeded.labellers);
  console.log(`[load] ${labellers.length} labellers signed in over ${bases.length} instance(s); running ${o.duration} s…`);
  const db = await dbCpuSource(o.databaseUrl);
  const app = bases.map((_, i) => (o.pids[i] ? [o.pids[i]] : null));
  const run = new LoadRun(bases, seeded.experimentId);
  const phase = await measurePhase(run, labellers, o.duration, { app, db: db.pid, dbNote: db.note });
  run.close();
  console.log(JSON.stringify(jsonReport(phase)));
  console.log([...TABLE_HEAD, ...phaseTable(`${bases.length} instance(s)`, phase)].join("\n"));
  console.log(
    `app CPU: ${app.some((x) => !x) ? "give --pid PID per --url (same order) to measure it" : "from /proc, each server and its children"}; ${db.note}`,
  );
  console.log(`pairs leased to two labellers at once: ${run.pairsLeasedTwice()}`);
  if (!o.databaseUrl) {
    console.log("labels stored vs acknowledged: not checked (give --database-url)");
    return run.pairsLeasedTwice() === 0;
  }
  const { stored, overLabelled } = await storedLabels(o.databaseUrl, seeded.experimentId);
  const cmp = compareLabels(run.acked, stored);
  console.log(
    `labels: ${cmp.acknowledged} acknowledged, ${cmp.stored} stored, ${cmp.missing} acknowledged but missing, ${cmp.misattributed} under another account, ${overLabelled} pairs labelled twice`,
  );
  return cmp.missing === 0 && cmp.misattributed === 0 && overLabelled === 0 && run.pairsLeasedTwice() === 0;
}
