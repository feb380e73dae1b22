// `npm run worker` (also what the web server spawns): it lowers its own CPU priority before it starts any thread, so
// requests and labellers' screens win the CPU over training on a shared machine.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { sessionOf } from "@/lib/cli/priority";

const file = `/tmp/oprl-worker-cli-${process.pid}-${randomUUID().slice(0, 8)}.db`;
afterEach(() => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
});

/** Field 19 of /proc/PID/stat: the nice value (after the command name, which sits in parentheses). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

describe.runIf(os.platform() === "linux")("npm run worker", () => {
  it("runs at WORKER_NICE, as do its threads", async () => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/cli/worker.ts"], {
      env: { ...process.env, DATABASE_URL: `file:${file}`, WORKER_NICE: "7" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    try {
      const until = Date.now() + 60_000;
      while (!out.includes("[worker] started") && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain("[worker] started");
      expect(niceOf(child.pid!)).toBe(7);
      for (const tid of (await import("node:fs")).readdirSync(`/proc/${child.pid}/task`)) {
        const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, "utf8");
        expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]), `thread ${tid}`).toBe(7);
      }
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });

  // Autogroup scheduling shares the CPU between sessions before nice counts (lib/cli/priority.ts).
  it.runIf(existsSync("/proc/self/autogroup"))(
    "in a session of its own (as the web server starts it) it gives that session's group WORKER_NICE; in the caller's session it leaves the group alone",
    async () => {
      const autogroupNice = (pid: number | "self") => Number(/nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"))![1]);
      const mine = autogroupNice("self");
      for (const detached of [true, false]) {
        const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/cli/worker.ts"], {
          env: { ...process.env, DATABASE_URL: `file:${file}`, WORKER_NICE: "17" },
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
          expect(sessionOf(readFileSync(`/proc/${child.pid}/stat`, "utf8")) === child.pid).toBe(detached);
          expect(autogroupNice(child.pid!), out).toBe(detached ? 17 : mine);
          expect(autogroupNice("self")).toBe(mine);
        } finally {
          child.kill("SIGTERM");
          await new Promise((r) => child.once("exit", r));
        }
      }
    },
  );
});
