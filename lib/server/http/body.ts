// Reading a request body: never more than API_MAX_BODY_BYTES (413), and JSON or a 400 of its own.
import "server-only";
import { getConfig } from "../../config";
import { AppError } from "../errors";

/**
 * The body as text, refusing more than `limit` bytes with a 413 (checked against Content-Length
 * first, then counted while reading, so a lying or absent length cannot get past it).
 */
export async function readText(req: Request, limit = getConfig().API_MAX_BODY_BYTES): Promise<string> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `request body over ${limit} bytes`, { limit });
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The connection ended before the whole body arrived: the client's doing, not a server fault.
      throw new AppError("CLIENT_CLOSED", "the client closed the connection before its request body arrived");
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body; malformed JSON is a 400 MALFORMED_JSON (an empty body counts as `{}`), over the size limit a 413. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_JSON", "request body is not valid JSON", { fields: [{ path: "", message: "not valid JSON" }] });
  }
}
