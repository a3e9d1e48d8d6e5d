import { http, HttpResponse } from "msw";
import type { AuthorizationServer } from "oauth4webapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { clearDiscoveryCache, fetchDiscovery } from "@/lib/intuit/discovery";
import { IntuitApiError } from "@/lib/intuit/faults";
import {
  buildAuthorizationUrl,
  exchangeAuthorizationCode,
  HARD_EXPIRY_HEADER,
  IntuitOAuthError,
  refreshAccessToken,
  type IntuitTokenSet,
} from "@/lib/intuit/oauth";
import { revokeToken } from "@/lib/intuit/revoke";
import { ACCOUNTING, connectThroughEmulator, obtainAuthorizationCode, TEST_REDIRECT_URI } from "@/tests/intuit/connect-through-emulator";
import { rejectionOf } from "@/tests/rejection";

const intuit = useIntuitMock();
const client = { clientId: intuit.clientId, clientSecret: intuit.clientSecret };
let as: AuthorizationServer;

beforeEach(async () => {
  as = await fetchDiscovery(intuit.discoveryUrl);
});
afterEach(() => clearDiscoveryCache());

const oauthFailure = (promise: Promise<unknown>) => rejectionOf(promise, IntuitOAuthError);

function expectNoSecrets(error: Error, ...secrets: string[]): void {
  const visible = `${error.message} ${String(error.stack)} ${JSON.stringify(error)}`;
  for (const secret of secrets) expect(visible).not.toContain(secret);
}

function companyInfoWith(tokens: IntuitTokenSet, realmId: string) {
  return getCompanyInfo({ apiBaseUrl: intuit.apiBaseUrl, realmId, accessToken: tokens.accessToken });
}

describe("buildAuthorizationUrl", () => {
  it("builds Intuit's consent URL from the discovery document", () => {
    const url = buildAuthorizationUrl({ as, clientId: "abc", redirectUri: TEST_REDIRECT_URI, state: "s1", scope: [ACCOUNTING, "openid"] });
    expect(url.origin + url.pathname).toBe("http://intuit.test/connect/oauth2");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "abc",
      response_type: "code",
      scope: `${ACCOUNTING} openid`,
      redirect_uri: TEST_REDIRECT_URI,
      state: "s1",
    });
  });

  it("adds an S256 challenge only when given one", () => {
    const url = buildAuthorizationUrl({ as, clientId: "abc", redirectUri: TEST_REDIRECT_URI, state: "s", scope: ACCOUNTING, codeChallenge: "xyz" });
    expect(url.searchParams.get("code_challenge")).toBe("xyz");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });
});

describe("exchangeAuthorizationCode", () => {
  it("exchanges the code from the consent callback for a token set, with the hard expiry", async () => {
    const { realmId, tokens } = await connectThroughEmulator(intuit);
    expect(realmId).toBe("9341452000000001");
    expect(tokens).toMatchObject({
      expiresInSeconds: 3600,
      refreshTokenExpiresInSeconds: 8726400,
      refreshTokenHardExpiresInSeconds: 5 * 365 * 24 * 3600,
      idToken: null,
    });
    expect(tokens.accessToken).toMatch(/^eyJ/);
    expect(tokens.refreshToken).toMatch(/^AB11/);
    expect(tokens.intuitTid).toMatch(/^1-/);
    expect((await companyInfoWith(tokens, realmId)).companyInfo.companyName).toBe("Sandbox Company_US_1");
  });

  it("sends Basic client authentication and the hard-expiry header", async () => {
    const seen: { authorization: string | null; hardExpiry: string | null; body: string }[] = [];
    const spy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push({
        authorization: request.headers.get("authorization"),
        hardExpiry: request.headers.get(HARD_EXPIRY_HEADER),
        body: await request.clone().text(),
      });
      return fetch(request);
    };
    const { code } = await obtainAuthorizationCode(intuit);
    await exchangeAuthorizationCode({ as, client, code, redirectUri: TEST_REDIRECT_URI, fetch: spy });
    expect(seen[0]?.authorization).toBe(`Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}`);
    expect(seen[0]?.hardExpiry).toBe("true");
    expect(seen[0]?.body).not.toContain("client_secret");
  });

  it("returns the ID token when openid is part of the scope", async () => {
    const { tokens } = await connectThroughEmulator(intuit, { scope: `${ACCOUNTING} openid` });
    expect(tokens.idToken?.split(".")).toHaveLength(3);
  });

  it("answers a replayed code with invalid_grant, and the first exchange's tokens stop working", async () => {
    const { realmId, code, tokens } = await connectThroughEmulator(intuit);
    const error = await oauthFailure(exchangeAuthorizationCode({ as, client, code, redirectUri: TEST_REDIRECT_URI }));
    expect(error).toMatchObject({ code: "invalid_grant", status: 400, description: "Token invalid" });
    expect(error.intuitTid).toBeTruthy();
    expectNoSecrets(error, code);

    const apiError = await companyInfoWith(tokens, realmId).catch((caught: unknown) => caught);
    expect(apiError).toBeInstanceOf(IntuitApiError);
    expect(apiError).toMatchObject({ kind: "authentication", status: 401, code: "3200" });
    expect((await oauthFailure(refreshAccessToken({ as, client, refreshToken: tokens.refreshToken }))).code).toBe("invalid_grant");
  });

  it("maps invalid_client, 500, garbage and timeouts to typed errors without secrets", async () => {
    const { code } = await obtainAuthorizationCode(intuit);
    const exchange = (timeoutMs?: number) => exchangeAuthorizationCode({ as, client, code, redirectUri: TEST_REDIRECT_URI, timeoutMs });

    intuit.emulator.injectFault({ target: "token", error: "invalid_client" });
    const invalidClient = await oauthFailure(exchange());
    expect(invalidClient).toMatchObject({ code: "invalid_client", status: 401 });
    expect(invalidClient.intuitTid).toBeTruthy();

    intuit.emulator.injectFault({ target: "token", status: 500 });
    const serverError = await oauthFailure(exchange());
    expect(serverError).toMatchObject({ code: "server_error", status: 500, retryable: true });

    intuit.emulator.injectFault({ target: "token", status: 503, body: "<html>upstream</html>", contentType: "text/html" });
    expect(await oauthFailure(exchange())).toMatchObject({ code: "server_error", status: 503 });

    intuit.emulator.injectFault({ target: "token", status: 200, body: { access_token: "only-this" } });
    expect(await oauthFailure(exchange())).toMatchObject({ code: "unexpected_response", status: 200 });

    intuit.emulator.injectFault({ target: "token", delayMs: 500 });
    const timeout = await oauthFailure(exchange(50));
    expect(timeout).toMatchObject({ code: "timeout", status: null });

    for (const error of [invalidClient, serverError, timeout]) expectNoSecrets(error, code, intuit.clientSecret);
    // The faults were consumed; the code itself was never spent, so it still works.
    await expect(exchange()).resolves.toMatchObject({ expiresInSeconds: 3600 });
  });

  it("reports a network failure", async () => {
    const { code } = await obtainAuthorizationCode(intuit);
    const failingFetch: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    const error = await oauthFailure(exchangeAuthorizationCode({ as, client, code, redirectUri: TEST_REDIRECT_URI, fetch: failingFetch }));
    expect(error.code).toBe("network");
  });

  it("keeps Intuit's own error code when the body has one", async () => {
    intuit.server.use(http.post(intuit.tokenUrl, () => HttpResponse.json({ error: "invalid_request", error_description: "Missing code" }, { status: 400 })));
    const error = await oauthFailure(exchangeAuthorizationCode({ as, client, code: "x", redirectUri: TEST_REDIRECT_URI }));
    expect(error).toMatchObject({ code: "invalid_request", description: "Missing code" });
  });

  it("refuses to send secrets to a plain-http token endpoint outside the local allow list", async () => {
    const remote = { ...as, token_endpoint: "http://oauth.example.com/token" };
    const error = await oauthFailure(exchangeAuthorizationCode({ as: remote, client, code: "x", redirectUri: TEST_REDIRECT_URI }));
    expect(error.code).toBe("insecure_request");
  });
});

describe("refreshAccessToken", () => {
  it("rotates: the new refresh token works, the old one is rejected with invalid_grant", async () => {
    const { realmId, tokens } = await connectThroughEmulator(intuit);
    const renewed = await refreshAccessToken({ as, client, refreshToken: tokens.refreshToken });
    expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.refreshTokenHardExpiresInSeconds).toBeGreaterThan(0);
    expect((await companyInfoWith(renewed, realmId)).companyInfo.id).toBe("1");

    const stale = await oauthFailure(refreshAccessToken({ as, client, refreshToken: tokens.refreshToken }));
    expect(stale).toMatchObject({ code: "invalid_grant", status: 400, retryable: false });
    expectNoSecrets(stale, tokens.refreshToken);

    await expect(refreshAccessToken({ as, client, refreshToken: renewed.refreshToken })).resolves.toBeTruthy();
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(3);
  });

  it("reports the hard expiry as null when Intuit leaves it out", async () => {
    const { tokens } = await connectThroughEmulator(intuit);
    intuit.server.use(
      http.post(intuit.tokenUrl, () =>
        HttpResponse.json({ access_token: "a", refresh_token: "r", token_type: "bearer", expires_in: 3600, x_refresh_token_expires_in: 100 }),
      ),
    );
    const renewed = await refreshAccessToken({ as, client, refreshToken: tokens.refreshToken });
    expect(renewed.refreshTokenHardExpiresInSeconds).toBeNull();
    expect(renewed.refreshTokenExpiresInSeconds).toBe(100);
  });

  it("fails with invalid_grant after a disconnect made inside QuickBooks", async () => {
    const { realmId, tokens } = await connectThroughEmulator(intuit);
    intuit.emulator.revokeGrant(realmId);
    expect((await oauthFailure(refreshAccessToken({ as, client, refreshToken: tokens.refreshToken }))).code).toBe("invalid_grant");
  });

  it("fails with invalid_client for wrong credentials", async () => {
    const { tokens } = await connectThroughEmulator(intuit);
    const wrong = { clientId: intuit.clientId, clientSecret: "not-the-secret" };
    const error = await oauthFailure(refreshAccessToken({ as, client: wrong, refreshToken: tokens.refreshToken }));
    expect(error).toMatchObject({ code: "invalid_client", status: 401 });
    expectNoSecrets(error, "not-the-secret", tokens.refreshToken);
  });
});

describe("revokeToken", () => {
  it("revokes the grant with a JSON body and accepts Intuit's empty 200", async () => {
    const { realmId, tokens } = await connectThroughEmulator(intuit);
    let sent: { contentType: string | null; accept: string | null; body: string } | null = null;
    const spy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      sent = { contentType: request.headers.get("content-type"), accept: request.headers.get("accept"), body: await request.clone().text() };
      return fetch(request);
    };
    const result = await revokeToken({ as, client, token: tokens.refreshToken, fetch: spy });
    expect(result.intuitTid).toBeTruthy();
    expect(sent).toEqual({ contentType: "application/json", accept: "application/json", body: JSON.stringify({ token: tokens.refreshToken }) });
    expect(intuit.emulator.activeTokens({ realmId })).toEqual([]);
    await expect(companyInfoWith(tokens, realmId)).rejects.toMatchObject({ kind: "authentication" });
  });

  it("reports an already revoked token as invalid_token (Intuit's bare 400)", async () => {
    const { tokens } = await connectThroughEmulator(intuit);
    await revokeToken({ as, client, token: tokens.refreshToken });
    const error = await oauthFailure(revokeToken({ as, client, token: tokens.refreshToken }));
    expect(error).toMatchObject({ code: "invalid_token", status: 400 });
    expectNoSecrets(error, tokens.refreshToken);
  });

  it("maps revoke faults: invalid_client, 5xx and timeout", async () => {
    const { tokens } = await connectThroughEmulator(intuit);
    intuit.emulator.injectFault({ target: "revoke", error: "invalid_client" });
    expect(await oauthFailure(revokeToken({ as, client, token: tokens.refreshToken }))).toMatchObject({ code: "invalid_client", status: 401 });
    intuit.emulator.injectFault({ target: "revoke", status: 502 });
    expect(await oauthFailure(revokeToken({ as, client, token: tokens.refreshToken }))).toMatchObject({ code: "server_error", status: 502 });
    intuit.emulator.injectFault({ target: "revoke", delayMs: 400 });
    expect(await oauthFailure(revokeToken({ as, client, token: tokens.refreshToken, timeoutMs: 40 }))).toMatchObject({ code: "timeout" });
  });
});
