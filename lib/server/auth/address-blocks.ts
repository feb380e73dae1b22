// A per-process copy of the database's address throttles (throttle.ts), read by the node guard before Next builds
// anything from a request. Why: under a signed-out flood each refusal that reaches a route costs the whole of
// Next's request handling plus a database read; once the database has said "this address waits until T", this
// process refuses that address's sign-ins (or invites) until T at Node's HTTP server, for a fraction of the cost.
// The database stays the authority (shared by every instance): this copy only ever holds what it answered, only
// for addresses (an account's own throttle needs the name from the body), and forgets each entry at its time.
// Kept on globalThis: instrumentation (which installs the guard) and the route bundles each load this module.

export type AddressScope = "sign-in" | "invite";

const STORE = Symbol.for("oprl.addressBlocks");
/** Bounded so a flood from many addresses cannot grow it without end; expired entries go first. */
const MAX_ENTRIES = 50_000;

function store(): Map<string, number> {
  const g = globalThis as Record<symbol, Map<string, number> | undefined>;
  return (g[STORE] ??= new Map());
}

/** Remember that `address` may not try `scope` again before `untilMs` (epoch ms). */
export function noteAddressBlocked(scope: AddressScope, address: string, untilMs: number, now = Date.now()): void {
  if (untilMs <= now) return;
  const blocks = store();
  if (blocks.size >= MAX_ENTRIES) {
    for (const [key, until] of blocks) if (until <= now) blocks.delete(key);
    // Still full of live blocks: drop the oldest inserted (the database still holds it).
    while (blocks.size >= MAX_ENTRIES) blocks.delete(blocks.keys().next().value!);
  }
  const key = `${scope}|${address}`;
  blocks.set(key, Math.max(untilMs, blocks.get(key) ?? 0));
}

/** Milliseconds `address` still waits for `scope` (0: not blocked, as far as this process knows). */
export function addressBlockedMs(scope: AddressScope, address: string, now = Date.now()): number {
  const blocks = store();
  const key = `${scope}|${address}`;
  const until = blocks.get(key);
  if (until === undefined) return 0;
  if (until <= now) {
    blocks.delete(key);
    return 0;
  }
  return until - now;
}

/** Forget every copy (tests). */
export function clearAddressBlocks(): void {
  store().clear();
}
