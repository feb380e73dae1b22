// Whether this instance is ready for people (GET /api/health/ready). Kept on globalThis: instrumentation.ts and the
// route handlers are compiled into separate bundles, each with its own copy of this module, in one process.
import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { InstanceState } from "../contracts/words";

const KEY = Symbol.for("oprl.instanceState");
const TOKEN = Symbol.for("oprl.warmToken");
const box = globalThis as typeof globalThis & { [KEY]?: InstanceState; [TOKEN]?: string };

/** "warming" until markReady(): a process that never ran its warm-up (tests calling handlers) is not ready. */
export function instanceState(): InstanceState {
  return box[KEY] ?? "warming";
}

export function markReady(): void {
  box[KEY] = "ready";
}

/** Back to "warming" (tests). */
export function markWarming(): void {
  box[KEY] = "warming";
}

/**
 * The secret the HTTP warm-up shows GET /api/health/warm: made in memory once per process, never sent anywhere but
 * to this process over loopback, so no one else can make an instance run its warm-up reads.
 */
export function warmToken(): string {
  return (box[TOKEN] ??= randomBytes(32).toString("base64url"));
}

/** Whether `candidate` is this process's warm-up token and the instance is still warming (after that, no one is). */
export function acceptsWarmToken(candidate: string | null): boolean {
  if (instanceState() !== "warming" || !candidate || !box[TOKEN]) return false;
  const [a, b] = [Buffer.from(candidate), Buffer.from(box[TOKEN])];
  return a.length === b.length && timingSafeEqual(a, b);
}
