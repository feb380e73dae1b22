// Cross-site request refusal for state-changing requests (the SameSite=Lax cookie keeps the session off most of
// them; this also covers public routes, browsers without SameSite, and same-site subdomains).
//
// The app's own origin is APP_URL's when set. Unset, it is http:// and the Host the request was sent to: `next
// start` speaks plain HTTP, and a browser cannot send another site's page's request with a Host other than
// ours. X-Forwarded-Host and X-Forwarded-Proto are never read (anyone can send them; Next even builds req.url's
// scheme from the latter), so behind a TLS-terminating proxy APP_URL must be set to the https address.
import "server-only";
import { getConfig } from "../../config";
import { AppError } from "../errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** scheme://host:port of the app, as browsers name it in Origin (null when the Host header is not a host). */
export function appOrigin(req: Request): string | null {
  const configured = getConfig().APP_URL;
  if (configured) return new URL(configured).origin;
  const host = req.headers.get("host") ?? new URL(req.url).host;
  try {
    const url = new URL(`http://${host}`);
    // A Host with a path, user or query in it is not a host.
    return url.pathname === "/" && !url.username && !url.password && !url.search && !url.hash ? url.origin : null;
  } catch {
    return null;
  }
}

/** The Origin header as scheme://host:port (default ports dropped, as URL does), or null when unparsable or "null". */
function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * A state-changing request must come from the app's own origin: Origin equal to it in scheme, host and port; or,
 * without Origin, a browser's Sec-Fetch-Site of same-origin or none (typed in, bookmarks). Anything else
 * (another site, a sibling subdomain, a tool that says nothing) is a 403.
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const refuse = (why: string) => new AppError("FORBIDDEN", `cross-site request refused: ${why}`);
  const origin = req.headers.get("origin");
  if (origin !== null) {
    const own = appOrigin(req);
    if (own === null || originOf(origin) !== own) throw refuse("Origin is not this site");
    return;
  }
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return;
  throw refuse(site ? `Sec-Fetch-Site is ${site}` : "no Origin or Sec-Fetch-Site header");
}
