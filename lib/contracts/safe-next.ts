// Where to go after signing in. Its own module without zod: the sign-in page's browser code uses it, and any
// module that builds zod schemas would add zod (~110 KB) to that page's JavaScript (eslint.config.mjs keeps it so).

/**
 * Where to go after signing in: only a path on this site. Parsed as a URL against a placeholder origin, it must
 * stay on that origin; `//host`, `/\\host`, backslashes and control characters (a tab or newline, which browsers
 * drop, turning `/\t/evil.example` into `//evil.example`) are refused. Returns the normalised path, or `fallback`.
 */
export function safeNext(next: unknown, fallback = "/"): string {
  if (typeof next !== "string" || next.length > 2048) return fallback;
  if (!next.startsWith("/") || next.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(next)) return fallback;
  const base = "http://next.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || !url.pathname.startsWith("/") || url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
