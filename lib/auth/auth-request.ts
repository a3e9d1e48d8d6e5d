import { NextRequest } from "next/server";

/**
 * Auth.js checks a request's `callbackUrl` (query parameter, and the callback-url cookie it set earlier) and, when it
 * is neither an http(s) URL nor a path, reports a *server configuration* error: a 500 for any client that sends
 * `?callbackUrl=x`. Such a value can never be followed anyway (the redirect callback, safeRedirectUrl, sends the
 * browser to the console instead), so it is dropped before Auth.js sees the request, and its default applies.
 */

const CALLBACK_URL_COOKIES = new Set(["authjs.callback-url", "__Secure-authjs.callback-url"]);

/** Auth.js's own test (@auth/core, lib/utils/assert.js): an absolute http(s) URL, or a path on the request's origin. */
export function isAuthJsCallbackUrl(value: string, origin: string): boolean {
  try {
    return /^https?:/.test(new URL(value, value.startsWith("/") ? origin : undefined).protocol);
  } catch {
    return false;
  }
}

function decoded(value: string): string {
  try {
    return value.includes("%") ? decodeURIComponent(value) : value;
  } catch {
    return value;
  }
}

/** The request without a callbackUrl that Auth.js would refuse as a configuration error; the same request otherwise. */
export function withoutInvalidCallbackUrl(req: NextRequest): NextRequest {
  const url = new URL(req.url);
  const badQuery = url.searchParams.getAll("callbackUrl").some((value) => value && !isAuthJsCallbackUrl(value, url.origin));
  const cookies = (req.headers.get("cookie") ?? "").split(";");
  const isBadCookie = (pair: string) => {
    const at = pair.indexOf("=");
    if (at < 0 || !CALLBACK_URL_COOKIES.has(pair.slice(0, at).trim())) return false;
    const value = decoded(pair.slice(at + 1).trim().replace(/^"(.*)"$/, "$1"));
    return value !== "" && !isAuthJsCallbackUrl(value, url.origin);
  };
  const badCookie = cookies.some(isBadCookie);
  if (!badQuery && !badCookie) return req;

  if (badQuery) url.searchParams.delete("callbackUrl");
  const headers = new Headers(req.headers);
  if (badCookie) headers.set("cookie", cookies.filter((pair) => !isBadCookie(pair)).join(";"));
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.body !== null;
  return new NextRequest(url, { method: req.method, headers, body: hasBody ? req.body : undefined, signal: req.signal, ...(hasBody ? { duplex: "half" } : {}) });
}
