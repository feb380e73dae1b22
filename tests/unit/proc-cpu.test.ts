// The load test charges CPU to the app and the database from /proc: a process tree's time must include children,
// and time of children that already ended (reaped into their parent's cutime/cstime).
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { localPostmaster, procAvailable, treeCpuMs } from "../../scripts/load/proc-cpu";

// A fixed amount of work (not a wall-clock time), so a busy machine changes how long it takes, not its CPU time.
const BURN = "let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i) % 1000003; console.log(x);";

describe.skipIf(!procAvailable())("treeCpuMs", () => {
  it("counts a child's CPU time while it runs and after it has ended", async () => {
    // A parent that starts a burning child, waits for it, then idles: the child's time moves into the parent's cutime.
    const parent = spawn(process.execPath, [
      "-e",
      `require("node:child_process").spawnSync(process.execPath, ["-e", ${JSON.stringify(BURN)}]); console.log("done"); setTimeout(() => {}, 30000);`,
    ]);
    const before = treeCpuMs([parent.pid!]);
    await new Promise<void>((resolve) => parent.stdout!.on("data", (d) => String(d).includes("done") && resolve()));
    const after = treeCpuMs([parent.pid!]);
    parent.kill();
    // What the child burnt, measured by the kernel for the child itself.
    const alone = spawnSync("bash", ["-c", `TIMEFORMAT=%U+%S; time node -e '${BURN}' >/dev/null`], { encoding: "utf8" });
    const [user, sys] = alone.stderr.trim().split("\n").pop()!.split("+").map(Number);
    const expected = (user + sys) * 1000;
    expect(after - before).toBeGreaterThan(expected * 0.6);
    expect(after - before).toBeLessThan(expected * 1.6 + 300);
  });

  it("is 0 for a process that does not exist, and a non-postgres pid has no postmaster", () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    expect(treeCpuMs([gone])).toBe(0);
    expect(localPostmaster(process.pid)).toBeNull();
  });
});
