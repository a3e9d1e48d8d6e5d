import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { clearDiscoveryCache, DISCOVERY_CACHE_TTL_MS, fetchDiscovery, supportsPkceS256 } from "@/lib/intuit/discovery";
import { IntuitOAuthError } from "@/lib/intuit/oauth-error";
import { rejectionOf } from "@/tests/rejection";

const intuit = useIntuitMock();

afterEach(() => {
  clearDiscoveryCache();
  vi.restoreAllMocks();
});

const failureOf = (promise: Promise<unknown>) => rejectionOf(promise, IntuitOAuthError);

describe("fetchDiscovery", () => {
  it("reads Intuit's document although its issuer is not the discovery URL", async () => {
    const as = await fetchDiscovery(intuit.discoveryUrl);
    expect(as.issuer).toBe("http://intuit.test/op/v1");
    expect(as.authorization_endpoint).toBe("http://intuit.test/connect/oauth2");
    expect(as.token_endpoint).toBe("http://intuit.test/oauth2/v1/tokens/bearer");
    expect(as.revocation_endpoint).toBe("http://intuit.test/v2/oauth2/tokens/revoke");
    expect(supportsPkceS256(as)).toBe(false);
  });

  it("checks a pinned issuer", async () => {
    await expect(fetchDiscovery(intuit.discoveryUrl, { expectedIssuer: "http://intuit.test/op/v1" })).resolves.toBeTruthy();
    clearDiscoveryCache();
    const error = await failureOf(fetchDiscovery(intuit.discoveryUrl, { expectedIssuer: "https://oauth.platform.intuit.com/op/v1" }));
    expect(error.code).toBe("unexpected_response");
  });

  it("caches the document per URL for 10 minutes and shares an in-flight load", async () => {
    const [a, b] = await Promise.all([fetchDiscovery(intuit.discoveryUrl), fetchDiscovery(intuit.discoveryUrl)]);
    expect(a).toBe(b);
    await fetchDiscovery(intuit.discoveryUrl);
    expect(intuit.emulator.calls.discovery).toBe(1);

    const start = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(start + DISCOVERY_CACHE_TTL_MS + 1);
    await fetchDiscovery(intuit.discoveryUrl);
    expect(intuit.emulator.calls.discovery).toBe(2);

    clearDiscoveryCache();
    await fetchDiscovery(intuit.discoveryUrl);
    expect(intuit.emulator.calls.discovery).toBe(3);
  });

  it("does not cache a failure", async () => {
    intuit.emulator.injectFault({ target: "discovery", status: 503 });
    const error = await failureOf(fetchDiscovery(intuit.discoveryUrl));
    expect(error.code).toBe("server_error");
    expect(error.status).toBe(503);
    expect(error.intuitTid).toBeTruthy();
    await expect(fetchDiscovery(intuit.discoveryUrl)).resolves.toBeTruthy();
  });

  it("rejects a document that is not Intuit-shaped", async () => {
    intuit.server.use(http.get(intuit.discoveryUrl, () => HttpResponse.json({ issuer: "http://intuit.test/op/v1" })));
    expect((await failureOf(fetchDiscovery(intuit.discoveryUrl))).code).toBe("unexpected_response");
    clearDiscoveryCache();
    intuit.server.use(http.get(intuit.discoveryUrl, () => new HttpResponse("<html>maintenance</html>", { status: 200 })));
    expect((await failureOf(fetchDiscovery(intuit.discoveryUrl))).code).toBe("unexpected_response");
  });

  it("times out", async () => {
    intuit.emulator.injectFault({ target: "discovery", delayMs: 300 });
    const error = await failureOf(fetchDiscovery(intuit.discoveryUrl, { timeoutMs: 50 }));
    expect(error.code).toBe("timeout");
  });

  it("reports a network failure", async () => {
    const failingFetch: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    expect((await failureOf(fetchDiscovery(intuit.discoveryUrl, { fetch: failingFetch }))).code).toBe("network");
  });

  it("refuses plain http outside localhost, 127.0.0.1 and *.test, and endpoints that break the rule", async () => {
    const error = await failureOf(fetchDiscovery("http://developer.api.intuit.com/.well-known/openid_configuration"));
    expect(error.code).toBe("insecure_request");
    intuit.server.use(
      http.get(intuit.discoveryUrl, () =>
        HttpResponse.json({
          issuer: "http://intuit.test/op/v1",
          authorization_endpoint: "http://intuit.test/connect/oauth2",
          token_endpoint: "http://oauth.example.com/token",
          revocation_endpoint: "http://intuit.test/revoke",
        }),
      ),
    );
    expect((await failureOf(fetchDiscovery(intuit.discoveryUrl))).code).toBe("insecure_request");
  });

  it("sees PKCE when a server advertises S256", async () => {
    intuit.server.use(
      http.get(intuit.discoveryUrl, () =>
        HttpResponse.json({
          issuer: "http://intuit.test/op/v1",
          authorization_endpoint: "http://intuit.test/connect/oauth2",
          token_endpoint: "http://intuit.test/oauth2/v1/tokens/bearer",
          revocation_endpoint: "http://intuit.test/v2/oauth2/tokens/revoke",
          code_challenge_methods_supported: ["plain", "S256"],
        }),
      ),
    );
    expect(supportsPkceS256(await fetchDiscovery(intuit.discoveryUrl))).toBe(true);
  });
});
