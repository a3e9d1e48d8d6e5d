// Next.js configuration. Telemetry is off and nothing is fetched at build or run time (fonts come from `geist`).
process.env.NEXT_TELEMETRY_DISABLED = "1";

const production = process.env.NODE_ENV === "production";

/**
 * Security headers on every response (SECURITY.md). Pages get their Content-Security-Policy, with a per-request
 * nonce, from proxy.ts; API responses get the fixed one below. No header is set by two rules with different values,
 * except Referrer-Policy, where Next applies the later, more specific rule.
 */
const everyResponse = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const apiResponse = [
  // Data, never a document: nothing may load from it or frame it.
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'" },
  // Tenant data, tokens' state, CSV exports: never stored by a browser or a shared cache (handlers may say the same).
  { key: "Cache-Control", value: "no-store" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native or WebAssembly packages that must be loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "postgres", "pg-boss"],
  typedRoutes: false,
  // `forbidden()` answers pages a user's role may not see with a real 403 and app/forbidden.tsx.
  experimental: { authInterrupts: true },
  // Intuit's callback carries the authorization code in its query string: keep it out of the dev server's log.
  logging: { incomingRequests: { ignore: [/\/api\/quickbooks\/callback/] } },
  async headers() {
    return [
      { source: "/:path*", headers: everyResponse },
      { source: "/api/:path*", headers: apiResponse },
      // The OAuth round trip (connect → Intuit → callback) and Intuit's Disconnect/Reconnect landings: no Referer at
      // all, not even the origin. The header on a redirect applies to the request it leads to.
      { source: "/api/quickbooks/connect", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
      { source: "/api/quickbooks/callback", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
      { source: "/quickbooks/:path*", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
      // HSTS only from a production build, and only on a response that went out over https (the TLS-terminating
      // proxy says so with X-Forwarded-Proto; browsers ignore the header over plain http anyway). Two years.
      ...(production
        ? [
            {
              source: "/:path*",
              has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
              headers: [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }],
            },
          ]
        : []),
    ];
  },
};

export default nextConfig;
