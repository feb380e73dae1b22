// A request fetch() will not send (TRACE, undecodable paths, any header): node:http, with a timeout.
import http from "node:http";

export interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function raw(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<RawResult> {
  const url = new URL(base);
  // A body goes with its length (unless the caller lies about it on purpose), so the server knows what comes.
  const headers = { ...opts.headers };
  if (opts.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["content-length"] = String(Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers, timeout: opts.timeoutMs ?? 15_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error(`timeout: ${method} ${path}`), { code: "HANG" })));
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
