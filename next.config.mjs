// Next.js configuration. Telemetry is off and nothing is fetched at build or run time (fonts come from `geist`).
process.env.NEXT_TELEMETRY_DISABLED = "1";

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
};

export default nextConfig;
