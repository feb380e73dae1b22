// The client's address, for throttling. Never what the client says about itself: the web server appends the TCP
// peer to X-Forwarded-For (lib/server/http/peer-address.cjs), so its last entry is the peer; with TRUST_PROXY = N
// reverse proxies in front, the client is the entry N places before it (the one the nearest trusted proxy wrote).
import "server-only";
import { getConfig } from "../../config";

const HOOK = Symbol.for("oprl.peerAddressHook");

/** True when this process's web server appends the peer's address (see peer-address.cjs). */
export function peerAddressHookInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[HOOK] === true;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client; anything odd is cut to a bounded key. */
function normaliseAddress(raw: string): string {
  const a = raw
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return a.slice(0, 64) || "unknown";
}

/**
 * The client address in an X-Forwarded-For value whose last entry was appended by our own server: `trustProxy`
 * entries from the right. A chain shorter than the configured proxies gives its first entry (the far end).
 */
export function clientAddressFrom(forwardedFor: string | null, trustProxy: number): string {
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (hops.length === 0) return "unknown";
  return normaliseAddress(hops[Math.max(0, hops.length - 1 - trustProxy)]);
}

export function clientAddress(req: Request): string {
  return clientAddressFrom(req.headers.get("x-forwarded-for"), getConfig().TRUST_PROXY);
}
