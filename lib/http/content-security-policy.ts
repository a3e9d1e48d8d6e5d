// The Content-Security-Policy of every page, set per request by proxy.ts (API responses get a fixed, stricter one
// from next.config.mjs, with the other security headers).
//
// Pages: scripts only with this response's nonce ('strict-dynamic' lets Next's nonce'd runtime load its own chunks);
// Next finds the nonce in the request's CSP header and puts it on every script it renders, so pages must be
// rendered per request (the root layout makes sure of it). Styles allow 'unsafe-inline': React `style` attributes
// (charts, progress bars) cannot carry a nonce, and a nonce in style-src would switch 'unsafe-inline' off. Images
// are the app's own or data: URIs (the app shows no remote images, Intuit's included). Nothing may frame the app.

/** 128 random bits, base64: a fresh one for every page response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export interface PagePolicyOptions {
  nonce: string;
  /** `next dev`: React needs eval for its debugging aids, and the dev server's websocket. */
  development: boolean;
}

export function pageContentSecurityPolicy({ nonce, development }: PagePolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(development ? ["ws:", "wss:"] : [])],
    ["object-src", "'none'"],
    ["frame-src", "'none'"],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}
