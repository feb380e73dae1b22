import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";

// npm run dataset -- export EXPERIMENT_ID [--out FILE] | import EXPERIMENT_ID FILE
// A preference dataset as JSONL: one pair per line, both trajectories and every label.
const USAGE = `Usage:
  npm run dataset -- export EXPERIMENT_ID [--out FILE] [--all]   pairs with labels (--all: every pair) as JSONL
  npm run dataset -- import EXPERIMENT_ID FILE                   add a JSONL dataset to an experiment (all or nothing)

The database is DATABASE_URL (default ./data/oprl.db).`;

class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: { out: { type: "string" }, all: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  const [command, experimentId, file] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== "export" && command !== "import") throw new UsageError(command ? `unknown command '${command}'` : "missing command: export or import");
  if (!experimentId) throw new UsageError(`${command} needs an EXPERIMENT_ID`);
  if (command === "import" && !file) throw new UsageError("import needs a FILE");
  if (command === "export" && file) throw new UsageError(`unexpected argument '${file}' (use --out FILE)`);

  const [{ getDb, closeDb }, dataset, { isAppError }] = await Promise.all([
    import("../server/db/client"),
    import("../server/labelling/dataset"),
    import("../server/errors"),
  ]);
  const db = await getDb();
  try {
    if (command === "export") {
      const out = parsed.values.out ? createWriteStream(parsed.values.out) : process.stdout;
      let lines = 0;
      for await (const line of dataset.exportDatasetLines(db, experimentId, { labelledOnly: !parsed.values.all })) {
        if (!out.write(`${line}\n`)) await once(out, "drain");
        lines++;
      }
      if (out !== process.stdout) await new Promise((r) => (out as ReturnType<typeof createWriteStream>).end(r));
      process.stderr.write(`exported ${lines} pairs\n`);
    } else {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new UsageError(`${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const summary = await dataset.importDataset(db, experimentId, text);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    }
    return 0;
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`dataset: ${err.message}\n`);
      return err.status === 404 ? 1 : 2;
    }
    throw err;
  } finally {
    await closeDb();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`dataset: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`dataset: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
