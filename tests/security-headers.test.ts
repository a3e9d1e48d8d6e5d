// The page Content-Security-Policy and the proxy that sets it. The fixed headers of next.config.mjs are checked on
// the built app's real responses (e2e/security.spec.ts).
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { createNonce, pageContentSecurityPolicy } from "@/lib/http/content-security-policy";
import { config, proxy } from "@/proxy";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe("page Content-Security-Policy", () => {
  it("runs only scripts carrying this response's nonce, and nothing inline or eval'd in production", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "abc123", development: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    // React style attributes need 'unsafe-inline'; a nonce there would switch it off, so there is none.
    expect(policy.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("allows eval and the dev server's websocket in `next dev` only", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: "abc123", development: true }));
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
    expect(policy.get("connect-src")).toEqual(["'self'", "ws:", "wss:"]);
  });

  it("makes 128-bit nonces, a new one each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("proxy.ts", () => {
  it("gives each page response a policy with a fresh nonce, and hands the same policy to Next's renderer", () => {
    const first = proxy(new NextRequest("http://localhost:3000/login"));
    const second = proxy(new NextRequest("http://localhost:3000/login"));
    const policy = first.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    // NextResponse.next({ request: { headers } }) passes overridden request headers this way.
    expect(first.headers.get("x-middleware-override-headers")?.split(",")).toContain("content-security-policy");
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
  });

  it("runs for pages, not for the API or Next's static files (their headers come from next.config.mjs)", () => {
    const [matcher] = config.matcher;
    const pattern = new RegExp(`^${matcher!.source}$`);
    for (const path of ["/login", "/integrations/quickbooks", "/quickbooks/disconnected", "/"]) expect(pattern.test(path)).toBe(true);
    for (const path of ["/api/quickbooks/status", "/api/auth/session", "/_next/static/chunks/app.js", "/favicon.ico"]) {
      expect(pattern.test(path)).toBe(false);
    }
  });
});
