// Issue 15, point 7: no route answers 500 to a malformed URL. A path whose percent-encoding does not decode
// (`/api/auth/signin/%F8%A1%A1%A1%A1`, `/api/auth/error%C0%AE%C0%AE%2F`) answers 400 with the contract's JSON error:
// from Auth.js's route, which took it for a server configuration error, and from the proxy, which runs before Next.js
// fills any route's dynamic segments (where the decoding fails with a 500).
import { AsyncLocalStorage } from "node:async_hooks";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { config as proxyConfig, proxy } from "@/proxy";
import { APP } from "./session";

const UNDECODABLE = ["/api/auth/signin/%F8%A1%A1%A1%A1", "/api/auth/error%C0%AE%C0%AE%2F", "/api/auth/session%", "/api/auth/callback/credentials%E0%A4%A"];

async function expectMalformed(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ error: { code: "malformed_url", message: expect.any(String) } });
}

describe("Auth.js's route", () => {
  it.each(UNDECODABLE)("answers 400 JSON to GET and POST %s", async (path) => {
    await expectMalformed(await authGet(new NextRequest(new URL(path, APP))));
    const form = { method: "POST", headers: { origin: APP, "content-type": "application/x-www-form-urlencoded" }, body: "csrfToken=x&email=a%40b.test&password=x" };
    await expectMalformed(await authPost(new NextRequest(new URL(path, APP), form)));
  });

  it("still answers its own paths", async () => {
    const response = await authGet(new NextRequest(new URL("/api/auth/csrf", APP)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ csrfToken: expect.any(String) });
  });
});

describe("the proxy", () => {
  it.each([...UNDECODABLE, "/api/quickbooks/sync/%F8", "/api/quickbooks/reconciliations/%C0%AE/close", "/integrations/quickbooks/%FF"])("answers 400 JSON to %s", async (path) => {
    await expectMalformed(proxy(new NextRequest(new URL(path, APP))));
  });

  it("runs for an API path with a percent sign, and for no other API path", async () => {
    // Next's matcher helper reads its request storage at load, as the server provides it.
    (globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage ??= AsyncLocalStorage;
    const { unstable_doesMiddlewareMatch: matches } = await import("next/experimental/testing/server");
    for (const path of UNDECODABLE) expect(matches({ config: proxyConfig, url: `${APP}${path}` }), path).toBe(true);
    expect(matches({ config: proxyConfig, url: `${APP}/api/quickbooks/sync/%F8` })).toBe(true);
    for (const path of ["/api/quickbooks/status", "/api/quickbooks/webhooks", "/api/auth/session"]) expect(matches({ config: proxyConfig, url: `${APP}${path}` }), path).toBe(false);
  });

  it("passes a decodable API path on unchanged, without the pages' policy", () => {
    const response = proxy(new NextRequest(new URL("/api/quickbooks/logs/callback.csv%20", APP)));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(response.headers.get("content-security-policy")).toBeNull();
  });
});
