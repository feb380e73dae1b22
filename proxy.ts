// Runs before every route and page (Next's proxy, formerly middleware): refuses what no route can answer, so it
// never reaches one as a 500. A method the app does not speak is a 405 (TRACE never gets this far: see
// lib/server/http/node-guard.ts); a path that is not valid percent-encoded UTF-8 (`/api/pairs/%FF%FE`) is a 400.
import { NextResponse, type NextRequest } from "next/server";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const ALLOW = METHODS.join(", ");

function refuse(req: NextRequest, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const all = { "cache-control": "no-store", ...headers };
  if (req.nextUrl.pathname.startsWith("/api/")) return NextResponse.json({ error: { code, message } }, { status, headers: all });
  return new NextResponse(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...all } });
}

function decodable(pathname: string): boolean {
  try {
    for (const segment of pathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

export function proxy(req: NextRequest) {
  if (!METHODS.includes(req.method)) return refuse(req, 405, "METHOD_NOT_ALLOWED", `method ${req.method} not allowed`, { allow: ALLOW });
  if (!decodable(req.nextUrl.pathname)) return refuse(req, 400, "BAD_PATH", "the path is not valid percent-encoded UTF-8");
  return NextResponse.next();
}

export const config = {
  // Everything but Next's own static files.
  matcher: "/((?!_next/static|_next/image).*)",
};
