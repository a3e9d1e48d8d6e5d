// Runs before every page: a fresh CSP nonce per response. Next reads the nonce from the request's
// Content-Security-Policy header and puts it on each script it renders; the browser gets the same policy.
// The fixed security headers (and the API's own CSP) come from next.config.mjs `headers()`, for every response.
// Also before any path with a percent sign, API ones included: one that does not decode answers 400 here, where
// Next.js would answer 500 while filling a route's dynamic segment (lib/http/undecodable-path.ts).
import { NextResponse, type NextRequest } from "next/server";
import { createNonce, pageContentSecurityPolicy } from "@/lib/http/content-security-policy";
import { hasUndecodablePath, undecodablePathResponse } from "@/lib/http/undecodable-path";

export function proxy(request: NextRequest) {
  if (hasUndecodablePath(request.url)) return undecodablePathResponse();
  if (new URL(request.url).pathname.startsWith("/api/")) return NextResponse.next();
  const policy = pageContentSecurityPolicy({ nonce: createNonce(), development: process.env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the API (data, with its own policy), not Next's static files. Prefetches carry no document.
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    // API paths only when they hold a "%": the check above costs the webhook and status traffic nothing.
    { source: "/api/(.*%.*)" },
  ],
};
