// The training worker's CPU priority (lib/cli/worker.ts): below the web server's, on Linux.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { procStatFields } from "./proc-stat";

/**
 * Serving requests wins the CPU over training. On Linux a nice value belongs to each thread: threads made later
 * inherit the main thread's, and Node's own (V8's compiler and GC helpers, libuv's pool) are set one by one.
 */
export function lowerPriority(nice: number) {
  try {
    os.setPriority(nice);
    const tids = existsSync("/proc/self/task") ? readdirSync("/proc/self/task") : [];
    for (const tid of tids) {
      try {
        os.setPriority(Number(tid), nice);
      } catch {
        // a thread that ended meanwhile
      }
    }
  } catch (err) {
    console.warn(`[worker] could not lower its priority: ${(err as Error).message}`);
  }
}

/** The session id of a process (from /proc/PID/stat). */
export function sessionOf(pid: number | "self"): number {
  return Number(procStatFields(readFileSync(`/proc/${pid}/stat`, "utf8"))[3]);
}

/**
 * The nice value of the autogroup a process is scheduled in, or null when the kernel shows none: built without
 * autogroup, or with it turned off (then /proc/PID/autogroup exists but is empty, as on our CI machines).
 */
export function autogroupNice(pid: number | "self"): number | null {
  try {
    const match = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Linux (with autogroup scheduling, the default on desktops and many servers) first shares the CPU equally between
 * sessions, and only then by nice within each: a nice worker in the web server's session still takes half the CPU
 * from a browser or PostgreSQL, which run in sessions of their own. So the web server starts the worker in a session
 * of its own (worker-process.ts), and the worker gives that session's group its nice value. Only when it leads its
 * session: from a terminal (`npm run worker`) the group would be the shell's, and maybe a server's started from it.
 */
export function lowerGroupPriority(nice: number) {
  if (autogroupNice("self") === null) return;
  try {
    if (sessionOf("self") !== process.pid) return;
    writeFileSync("/proc/self/autogroup", String(nice));
  } catch (err) {
    console.warn(`[worker] could not lower its session's CPU share: ${(err as Error).message}`);
  }
}
