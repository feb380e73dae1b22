// Checks at Node's HTTP server, before Next builds anything from the request (installed once per process by
// instrumentation.ts). Here rather than in a Next proxy (middleware): a proxy ran Next's middleware machinery on every
// request, about 0.8 ms of CPU each (a request answered 401 took 2.7 ms of the server's CPU with it, 1.9-2.1 ms
// without), for two checks that need only the method and the path.
// - A method the app does not speak is a 405 with Allow. TRACE must be refused here anyway: it made Next throw
//   "'TRACE' HTTP method is unsupported" while building its Request (the fetch standard forbids the method), a 500
//   and a stack trace. (TRACK and CONNECT never arrive as requests: Node refuses TRACK with 400 and hands CONNECT to
//   its own event.)
// - A path that is not valid percent-encoded UTF-8 (`/api/pairs/%FF%FE`) is a 400: no route could answer it, and
//   Next's own decoding would make it a 500.
// - A declared body over API_MAX_BODY_BYTES: a client declaring a huge Content-Length and sending little held the
//   request open until Node's own timeout, and a big one filled memory. Answered 413 here at once, and the
//   connection closed.
// - Signed-out password requests (sign-in, invite) that would be refused anyway: from an address the database
//   throttle holds (as this process last heard it, address-blocks.ts), or while the password pool is full; and
//   any beyond AUTH_REQUESTS_PER_SECOND for the whole process (a flood from many addresses, which no per-address
//   throttle sees). Answered 429 here, so a flood of them costs a little parsing instead of a whole Next
//   request and a database read, and signed-in people keep being served (README "Security").
// API paths get the API's error shape ({ error: { code, message } }), pages plain text.
import "server-only";
import http from "node:http";
import { getConfig } from "../../config";
import { addressBlockedMs, type AddressScope } from "../auth/address-blocks";
import { clientAddressFrom } from "../auth/client-address";
import { passwordPoolFull } from "../auth/password";

const installed = Symbol.for("oprl.guardNodeServer");
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const ALLOW = [...METHODS].join(", ");

/** The request's path without its query: origin-form (`/a?b`) as browsers send it, or absolute-form (`http://h/a`). */
export function requestPath(url: string | undefined): string {
  const u = url ?? "/";
  if (u.startsWith("/")) {
    const end = u.search(/[?#]/);
    return end < 0 ? u : u.slice(0, end);
  }
  try {
    return new URL(u).pathname;
  } catch {
    return u;
  }
}

/** Whether every segment of `path` decodes as percent-encoded UTF-8. */
export function decodablePath(path: string): boolean {
  if (!path.includes("%")) return true;
  try {
    for (const segment of path.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/**
 * Headers on every answer made here. Next adds next.config.js's security headers to what it answers; these answers
 * never reach Next, and carry nothing to render, run or frame, so they get the strictest policy.
 */
const GUARD_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

/** A refusal of the request for `path`, and the connection closed: in the API's error shape on API paths, as text on pages. */
function refuse(path: string, res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const api = path.startsWith("/api/");
  const body = api ? JSON.stringify({ error: { code, message } }) : `${message}\n`;
  res.writeHead(status, {
    ...GUARD_HEADERS,
    "content-type": api ? "application/json" : "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    connection: "close",
    ...headers,
  });
  res.end(body);
}

const PASSWORD_ROUTES: Record<string, AddressScope> = { "/api/auth/sign-in": "sign-in", "/api/auth/invite": "invite" };

/** A 429 in the API's error shape; the connection stays open (closing it would make a flood reconnect, costlier). */
function rateLimited(res: http.ServerResponse, retryAfterSec: number, message: string) {
  const body = JSON.stringify({ error: { code: "RATE_LIMITED", message, details: { retryAfterSec } } });
  res.writeHead(429, {
    ...GUARD_HEADERS,
    "content-type": "application/json",
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

/** The 429 a password request (to `path`) gets before Next, or false to let it through. */
function refusePasswordRequest(req: http.IncomingMessage, path: string, res: http.ServerResponse, trustProxy: number, bucket: RateBucket): boolean {
  if (req.method !== "POST") return false;
  const scope = PASSWORD_ROUTES[path];
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
      // Read once: every check below and the refusal's shape (API or page) go by it.
      const path = requestPath(req.url);
      // The size first: a body declared too big is refused whatever else is wrong with the request.
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limit) {
        refuse(path, res, 413, "PAYLOAD_TOO_LARGE", `request body over ${limit} bytes`);
        return true;
      }
      if (!METHODS.has(req.method ?? "")) {
        refuse(path, res, 405, "METHOD_NOT_ALLOWED", `method ${req.method} not allowed`, { allow: ALLOW });
        return true;
      }
      if (!decodablePath(path)) {
        refuse(path, res, 400, "BAD_PATH", "the path is not valid percent-encoded UTF-8");
        return true;
      }
      if (refusePasswordRequest(req, path, res, trustProxy, bucket)) return true;
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
