// Return targets taken from a request (`callbackUrl` on /login, Auth.js's own callbackUrl and redirect callback):
// only a path on this site is ever followed, never another origin (no open redirect).

export const DEFAULT_RETURN_PATH = "/integrations/quickbooks";

const PLACEHOLDER_ORIGIN = "http://return-path.invalid";

/**
 * A return path after sign-in: a same-origin relative path (`/…`), or the fallback. Refused: anything that is not a
 * string starting with one `/`; `//host` and `/\host` (browsers read both as another host); backslashes and
 * control characters anywhere (browsers drop tabs and newlines and turn `\` into `/` before resolving); a path
 * whose dot segments resolve to `//host`; and over 512 characters. Percent-encoded variants (`%2F%2Fevil.test`)
 * do not start with `/` and are refused; `/%2F%2F…` stays a path on this site, which the browser never decodes
 * into an authority.
 */
export function safeReturnPath(value: unknown, fallback = DEFAULT_RETURN_PATH): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  if (value.includes("\\") || /[\u0000-\u001f\u007f]/.test(value)) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (resolved.origin !== PLACEHOLDER_ORIGIN || resolved.pathname.startsWith("//")) return fallback;
  return value;
}

/**
 * Auth.js's `redirect` callback: where to send the browser after signing in or out. Accepts a safe relative path
 * or an absolute URL on the app's own origin (APP_URL, never the request's Host or X-Forwarded-Host), and always
 * answers an absolute URL on APP_URL; anything else becomes the console.
 */
export function safeRedirectUrl(url: string, appUrl: string, fallback = DEFAULT_RETURN_PATH): string {
  const app = new URL(appUrl);
  let path: string = fallback;
  if (url.startsWith("/")) {
    path = safeReturnPath(url, fallback);
  } else {
    try {
      const absolute = new URL(url);
      if (absolute.origin === app.origin) path = safeReturnPath(`${absolute.pathname}${absolute.search}${absolute.hash}`, fallback);
    } catch {
      path = fallback;
    }
  }
  return `${app.origin}${path}`;
}
