// Whether this instance is ready for people (GET /api/health/ready). Kept on globalThis: instrumentation.ts and the
// route handlers are compiled into separate bundles, each with its own copy of this module, in one process.
import "server-only";
import type { InstanceState } from "../contracts/words";

const KEY = Symbol.for("oprl.instanceState");
const box = globalThis as typeof globalThis & { [KEY]?: InstanceState };

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
