import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, nextAttempt, restartDelay } from "@/lib/server/training/worker-process";
import { sessionOf } from "@/lib/cli/priority";

describe("restart backoff", () => {
  it("doubles from 1 s and stays at the 60 s cap, however many attempts", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(n))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(restartDelay(1000)).toBe(60_000);
    expect(restartDelay(Infinity)).toBe(60_000);
    expect(restartDelay(0)).toBe(1000);
    expect(restartDelay(3, { ...DEFAULT_BACKOFF, baseMs: 100, factor: 3, maxMs: 500 })).toBe(500);
    expect(restartDelay(2, { ...DEFAULT_BACKOFF, baseMs: 100, factor: 3, maxMs: 500 })).toBe(300);
  });

  it("a child that stayed up long enough starts the count again; quick deaths add up", () => {
    expect(nextAttempt(0, 10)).toBe(1);
    expect(nextAttempt(4, 10)).toBe(5);
    expect(nextAttempt(9, DEFAULT_BACKOFF.stableAfterMs)).toBe(1);
  });
});

// The real supervisor, around a fake worker script, in its own process (as inside `next start`).
describe("worker supervision", () => {
  let proc: ChildProcess | null = null;
  afterEach(() => {
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });

  const startSupervisor = (env: Record<string, string> = {}) => {
    const p = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join("tests", "unit", "training", "fixtures", "supervisor.ts")], {
      env: { ...process.env, ...env },
    });
    proc = p;
    const out = { text: "" };
    p.stdout!.on("data", (d) => (out.text += d));
    p.stderr!.on("data", (d) => (out.text += d));
    const until = async (test: () => boolean, what: string) => {
      const started = Date.now();
      while (!test()) {
        if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}; output:\n${out.text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const pids = () => [...out.text.matchAll(/fake-worker (\d+)/g)].map((m) => Number(m[1]));
    return { p, out, until, pids };
  };

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("a worker killed with SIGKILL is restarted, with a log line; SIGTERM stops the worker and lets the server exit", async () => {
    const { p, out, until, pids } = startSupervisor();
    await until(() => pids().length === 1, "the first worker");
    const first = pids()[0];
    process.kill(first, "SIGKILL");
    await until(() => pids().length === 2, "the restarted worker");
    expect(out.text).toMatch(new RegExp(`process ${first} ended \\(signal SIGKILL\\) after [\\d.]+ s; restart attempt 1 in 0\\.1 s`));
    const second = pids()[1];
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
    // In a session of its own (so its nice value can count against other sessions: lib/cli/priority.ts).
    if (existsSync(`/proc/${second}/stat`)) expect(sessionOf(second)).toBe(second);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.once("exit", (code, signal) => r({ code, signal })));
    p.kill("SIGTERM");
    // No Next here: with no other handler the signal keeps its default effect once the worker is stopped.
    expect(await exited).toEqual({ code: null, signal: "SIGTERM" });
    await until(() => !alive(second), "the worker to stop");
    expect(out.text).not.toMatch(/ended .*attempt 2/);
  });

  it("a worker whose server was killed (SIGKILL: no handler runs) leaves when the IPC channel closes", async () => {
    const { p, until, pids } = startSupervisor();
    await until(() => pids().length === 1, "the worker");
    const worker = pids()[0];
    p.kill("SIGKILL");
    await until(() => !alive(worker), "the worker to leave");
  });

  it("a worker that keeps dying is retried with growing delays up to the cap, loudly, and never given up", async () => {
    const { until, out } = startSupervisor({ FAKE_WORKER_EXIT: "3" });
    await until(() => /restart attempt 5 /.test(out.text), "five restarts");
    const delays = [...out.text.matchAll(/ended \(exit code 3\) after [\d.]+ s; restart attempt (\d+) in ([\d.]+) s/g)].map((m) => [Number(m[1]), m[2]]);
    expect(delays.slice(0, 5)).toEqual([
      [1, "0.1"],
      [2, "0.2"],
      [3, "0.4"],
      [4, "0.4"],
      [5, "0.4"],
    ]);
    expect(out.text).toMatch(/restart attempt 3 in 0\.4 s\. It has died 3 times in a row: training rounds make no progress/);
    expect(out.text).not.toMatch(/restart attempt 2 in 0\.2 s\. It has died/);
  });
});
