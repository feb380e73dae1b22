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

/** application/json, or a +json type (application/merge-patch+json), with any parameters. */
export function isJsonContentType(value: string | null): boolean {
  const type = (value ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * Reads a JSON body; malformed JSON is a 400 MALFORMED_JSON (an empty body counts as `{}`), over the size limit a
 * 413. A body whose Content-Type is not JSON is a 415 before it is read: a cross-site form (text/plain,
 * urlencoded, multipart) cannot pass for JSON.
 */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type");
  const notJson = () => new AppError("UNSUPPORTED_MEDIA_TYPE", "send the body as JSON (Content-Type: application/json)", { contentType: type });
  if (type !== null && !isJsonContentType(type)) {
    await req.body?.cancel().catch(() => {});
    throw notJson();
  }
  const text = await readText(req);
  if (text.trim() === "") return {};
  // No Content-Type at all and a body: not declared as JSON either.
  if (type === null) throw notJson();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("MALFORMED_JSON", "request body is not valid JSON", { fields: [{ path: "", message: "not valid JSON" }] });
  }
}
