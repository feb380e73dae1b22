// Checks at Node's HTTP server, before Next builds anything from the request (installed once per process by
// instrumentation.ts):
// - TRACE made Next throw "'TRACE' HTTP method is unsupported" while building its Request (the fetch standard
//   forbids the method): a 500 and a stack trace, before the proxy or a route could see it. Answered 405 here.
//   (TRACK and CONNECT never arrive as requests: Node refuses TRACK with 400 and hands CONNECT to its own event.)
// - A declared body over API_MAX_BODY_BYTES: Next reads a request's whole body before its proxy runs, so a
//   client declaring a huge Content-Length and sending little held the request open until Node's own timeout,
//   and a big one filled memory. Answered 413 here at once, and the connection closed.
import "server-only";
import http from "node:http";
import { getConfig } from "../../config";

const installed = Symbol.for("oprl.guardNodeServer");
const ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close", ...headers });
  res.end(`${message}\n`);
}

export function guardNodeServer(): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean };
  if (proto[installed]) return;
  proto[installed] = true;
  const limit = getConfig().API_MAX_BODY_BYTES;
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
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
