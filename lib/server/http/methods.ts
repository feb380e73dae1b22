// TRACE (and TRACK) on any path made Next throw "'TRACE' HTTP method is unsupported" while building its Request
// (the fetch standard forbids those methods), answering 500 and logging a stack trace, before the proxy or any
// route could see it. Node's HTTP server is the last place before that: answer 405 there. Installed once per
// process by instrumentation.ts; the methods the fetch standard allows go on to proxy.ts.
import "server-only";
import http from "node:http";

const FORBIDDEN_BY_FETCH = new Set(["TRACE", "TRACK", "CONNECT"]);
const installed = Symbol.for("oprl.refuseUnrepresentableMethods");

export function refuseUnrepresentableMethods(): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean };
  if (proto[installed]) return;
  proto[installed] = true;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (req.method && FORBIDDEN_BY_FETCH.has(req.method.toUpperCase())) {
        res.writeHead(405, { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
        res.end(`method ${req.method} not allowed\n`);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
}
