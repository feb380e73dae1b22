// Preloaded into the web server (`node --require ./lib/server/http/peer-address.cjs .../next start`; the
// package scripts, scripts/app-server.ts and the Playwright config do this).
//
// Why: a route handler only sees headers, never the socket, and `next start` fills X-Forwarded-For from the
// socket only when the client sent none (`??=` in next/dist/server/base-server.js). So a client could name any
// address it liked. Here, before Next sees the request, the TCP peer's address is appended to X-Forwarded-For,
// as a proxy does: its last entry is always the peer, and lib/server/auth/client-address.ts counts TRUST_PROXY
// entries back from it. instrumentation.ts refuses to start the server without this hook.
"use strict";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS
const http = require("node:http");

const MARK = Symbol.for("oprl.peerAddressHook");
if (!globalThis[MARK]) {
  globalThis[MARK] = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, ...rest) {
    if (event === "request" && req && req.headers) {
      const peer = (req.socket && req.socket.remoteAddress) || "unknown";
      const prior = req.headers["x-forwarded-for"];
      req.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
    }
    return emit.call(this, event, req, ...rest);
  };
}
