import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { isAuthJsCallbackUrl, withoutInvalidCallbackUrl } from "./auth-request";

const APP = "http://localhost:3000";

describe("isAuthJsCallbackUrl", () => {
  it("accepts what Auth.js accepts: absolute http(s) URLs and paths", () => {
    for (const value of ["/integrations/quickbooks", "https://evil.test/", "http://localhost:3000/x", "//evil.test"]) expect(isAuthJsCallbackUrl(value, APP), value).toBe(true);
  });

  it("refuses what Auth.js would call a configuration error", () => {
    for (const value of ["-1", "2026-02-30", "javascript:alert(1)", "evil.test", "data:text/html,x", "%2F%2Fevil"]) expect(isAuthJsCallbackUrl(value, APP), value).toBe(false);
  });
});

describe("withoutInvalidCallbackUrl", () => {
  it("passes a request with a usable callbackUrl, or none, through untouched", () => {
    const plain = new NextRequest(`${APP}/api/auth/csrf`);
    expect(withoutInvalidCallbackUrl(plain)).toBe(plain);
    const path = new NextRequest(`${APP}/api/auth/signin?callbackUrl=%2Fintegrations%2Fquickbooks`, { headers: { cookie: "authjs.callback-url=%2Flogs" } });
    expect(withoutInvalidCallbackUrl(path)).toBe(path);
  });

  it("drops a callbackUrl query parameter that is neither a URL nor a path, and keeps the rest", () => {
    const req = withoutInvalidCallbackUrl(new NextRequest(`${APP}/api/auth/csrf?callbackUrl=2026-02-30&callbackUrl=%2Fok&x=1`));
    expect(new URL(req.url).searchParams.getAll("callbackUrl")).toEqual([]);
    expect(new URL(req.url).searchParams.get("x")).toBe("1");
  });

  it("drops a hostile callback-url cookie, and keeps the other cookies", () => {
    const req = withoutInvalidCallbackUrl(
      new NextRequest(`${APP}/api/auth/session`, { headers: { cookie: "a=1; authjs.callback-url=javascript%3Aalert(1); authjs.session-token=t" } }),
    );
    expect(req.headers.get("cookie")).toBe("a=1; authjs.session-token=t");
  });

  it("keeps a POST body readable", async () => {
    const req = withoutInvalidCallbackUrl(
      new NextRequest(`${APP}/api/auth/callback/credentials?callbackUrl=x`, { method: "POST", body: "email=a%40b.test", headers: { "content-type": "application/x-www-form-urlencoded" } }),
    );
    expect(req.method).toBe("POST");
    expect(await req.text()).toBe("email=a%40b.test");
    expect(req.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
  });
});
