// Checks at Node's HTTP server, before Next builds anything from the request (installed once per process by
// instrumentation.ts):
// - TRACE made Next throw "'TRACE' HTTP method is unsupported" while building its Request (the fetch standard
//   forbids the method): a 500 and a stack trace, before the proxy or a route could see it. Answered 405 here.
//   (TRACK and CONNECT never arrive as requests: Node refuses TRACK with 400 and hands CONNECT to its own event.)
// - A declared body over API_MAX_BODY_BYTES: Next reads a request's whole body before its proxy runs, so a
//   client declaring a huge Content-Length and sending little held the request open until Node's own timeout,
//   and a big one filled memory. Answered 413 here at once, and the connection closed.
// - Signed-out password requests (sign-in, invite) that would be refused anyway: from an address the database
//   throttle holds (as this process last heard it, address-blocks.ts), or while the password pool is full; and
//   any beyond AUTH_REQUESTS_PER_SECOND for the whole process (a flood from many addresses, which no per-address
//   throttle sees). Answered 429 here, so a flood of them costs a little parsing instead of a whole Next
//   request and a database read, and signed-in people keep being served (README "Security").
import "server-only";
import http from "node:http";
import { getConfig } from "../../config";
import { addressBlockedMs, type AddressScope } from "../auth/address-blocks";
import { clientAddressFrom } from "../auth/client-address";
import { passwordPoolFull } from "../auth/password";

const installed = Symbol.for("oprl.guardNodeServer");
const ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close", ...headers });
  res.end(`${message}\n`);
}

const PASSWORD_ROUTES: Record<string, AddressScope> = { "/api/auth/sign-in": "sign-in", "/api/auth/invite": "invite" };

/** A 429 in the API's error shape; the connection stays open (closing it would make a flood reconnect, costlier). */
function rateLimited(res: http.ServerResponse, retryAfterSec: number, message: string) {
  const body = JSON.stringify({ error: { code: "RATE_LIMITED", message, details: { retryAfterSec } } });
  res.writeHead(429, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "retry-after": String(retryAfterSec),
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A token bucket: `perSecond` on average, bursts of twice that. */
export class RateBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = 2 * perSecond;
    this.last = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(2 * this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The 429 a password request gets before Next, or false to let it through. */
function refusePasswordRequest(req: http.IncomingMessage, res: http.ServerResponse, trustProxy: number, bucket: RateBucket): boolean {
  if (req.method !== "POST") return false;
  const scope = PASSWORD_ROUTES[(req.url ?? "").split("?")[0]];
  if (!scope) return false;
  if (passwordPoolFull()) {
    rateLimited(res, 1, "the server is busy checking passwords: try again in a moment");
    return true;
  }
  // The address as client-address.ts will see it: the peer hook (which runs after this) appends the peer.
  const peer = req.socket.remoteAddress ?? "unknown";
  const forwarded = req.headers["x-forwarded-for"];
  const address = clientAddressFrom(forwarded ? `${forwarded}, ${peer}` : peer, trustProxy);
  const waitMs = addressBlockedMs(scope, address);
  if (waitMs > 0) {
    const sec = Math.max(1, Math.ceil(waitMs / 1000));
    rateLimited(res, sec, `too many failed attempts: try again in ${sec < 120 ? `${sec} s` : `${Math.ceil(sec / 60)} min`}`);
    return true;
  }
  if (!bucket.take()) {
    rateLimited(res, 1, "the server is busy with sign-ins: try again in a moment");
    return true;
  }
  return false;
}

export function guardNodeServer(): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean };
  if (proto[installed]) return;
  proto[installed] = true;
  const { API_MAX_BODY_BYTES: limit, TRUST_PROXY: trustProxy, AUTH_REQUESTS_PER_SECOND } = getConfig();
  const bucket = new RateBucket(AUTH_REQUESTS_PER_SECOND);
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (req.method?.toUpperCase() === "TRACE") {
        refuse(res, 405, `method ${req.method} not allowed`, { allow: ALLOW });
        return true;
      }
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limit) {
        refuse(res, 413, `request body over ${limit} bytes`);
        return true;
      }
      if (refusePasswordRequest(req, res, trustProxy, bucket)) return true;
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
