// A URL whose path cannot be percent-decoded (`%F8%A1…`, the overlong `%C0%AE`, a lone `%`) is bad input: it answers
// 400, never 500. Next.js decodes every dynamic segment before a route handler runs and answers 500 when that fails
// (it tries to render a /400 page the App Router does not have), so the proxy (proxy.ts) refuses such paths under
// /api/ first; Auth.js, behind its catch-all route, reports the same paths as a server configuration error, so its
// route checks them too.

const MESSAGE = "The URL is not valid: its path has percent-encoding that does not decode. Check the address.";

/** Whether the path of `url` (as received, still encoded) fails to decode as UTF-8. */
export function hasUndecodablePath(url: string): boolean {
  try {
    decodeURIComponent(new URL(url).pathname);
    return false;
  } catch {
    return true;
  }
}

/** The contract's JSON error for such a path. */
export function undecodablePathResponse(): Response {
  return Response.json({ error: { code: "malformed_url", message: MESSAGE } }, { status: 400, headers: { "cache-control": "no-store" } });
}
