// `npm run worker` (also what the web server spawns): it lowers its own CPU priority before it starts any thread, so
// requests and labellers' screens win the CPU over training on a shared machine.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { autogroupNice, sessionOf } from "@/lib/cli/priority";
import { procStatFields } from "@/lib/cli/proc-stat";

const file = `/tmp/oprl-worker-cli-${process.pid}-${randomUUID().slice(0, 8)}.db`;
afterEach(() => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
});

/** The nice value of a process or thread (`/proc/PID/stat` or `/proc/PID/task/TID/stat`). */
const niceOf = (statPath: string) => Number(procStatFields(readFileSync(statPath, "utf8"))[16]);

/**
 * Runs `npm run worker`'s entry with `env` until it says it started, hands its process to `check`, then stops it.
 * `detached`: in a session of its own, as the web server starts it.
 */
async function withWorker(env: Record<string, string>, detached: boolean, check: (child: ChildProcess, out: string) => void | Promise<void>) {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/cli/worker.ts"], {
    env: { ...process.env, DATABASE_URL: `file:${file}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached,
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  try {
    const until = Date.now() + 60_000;
    while (!out.includes("[worker] started") && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain("[worker] started");
    await check(child, out);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

describe.runIf(os.platform() === "linux")("npm run worker", () => {
  it("runs at WORKER_NICE, as do its threads", async () => {
    await withWorker({ WORKER_NICE: "7" }, false, (child) => {
      expect(niceOf(`/proc/${child.pid}/stat`)).toBe(7);
      for (const tid of readdirSync(`/proc/${child.pid}/task`)) expect(niceOf(`/proc/${child.pid}/task/${tid}/stat`), `thread ${tid}`).toBe(7);
    });
  });

  // Autogroup scheduling shares the CPU between sessions before nice counts (lib/cli/priority.ts).
  // Only where the kernel schedules by autogroup; with it off, /proc/PID/autogroup is empty (our CI machines).
  it.runIf(autogroupNice("self") !== null)(
    "in a session of its own (as the web server starts it) it gives that session's group WORKER_NICE; in the caller's session it leaves the group alone",
    async () => {
      const mine = autogroupNice("self");
      for (const detached of [true, false]) {
        await withWorker({ WORKER_NICE: "17" }, detached, (child, out) => {
          expect(sessionOf(child.pid!) === child.pid).toBe(detached);
          expect(autogroupNice(child.pid!), out).toBe(detached ? 17 : mine);
          expect(autogroupNice("self")).toBe(mine);
        });
      }
    },
  );
});
