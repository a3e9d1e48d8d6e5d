// The emulator itself, exercised with raw HTTP so each rule of /work/shared/intuit.md is checked without the
// client library in between (a client test passing against a wrong fake would prove nothing).

import { describe, expect, it } from "vitest";
import { completeConsent } from "./node";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test", { redirectUris: ["http://localhost:3000/callback"] });
const REDIRECT = "http://localhost:3000/callback";
const ACCOUNTING = "com.intuit.quickbooks.accounting";
const REALM = "9341452000000001";
const basic = `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}`;

function authorizeUrl(overrides: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: intuit.clientId,
    response_type: "code",
    scope: ACCOUNTING,
    redirect_uri: REDIRECT,
    state: "state-123",
    ...overrides,
  });
  return `${intuit.authorizeUrl}?${params}`;
}

async function getCode(overrides: Record<string, string> = {}, realmId = REALM): Promise<string> {
  const callback = await completeConsent(authorizeUrl(overrides), { realmId });
  return callback.searchParams.get("code") ?? "";
}

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic, ...headers },
    body: new URLSearchParams(form),
  });
}

interface TokenJson {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
  token_type: string;
  id_token?: string;
}

async function connect(realmId = REALM, extra: Record<string, string> = {}): Promise<TokenJson> {
  const code = await getCode(extra, realmId);
  const response = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenJson;
}

function companyInfo(token: string, realmId = REALM, accept = "application/json"): Promise<Response> {
  return fetch(`${intuit.origin}/v3/company/${realmId}/companyinfo/${realmId}?minorversion=75`, {
    headers: { authorization: `Bearer ${token}`, accept },
  });
}

function revoke(token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(intuit.revokeUrl, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/json", accept: "application/json", ...headers },
    body: JSON.stringify({ token }),
  });
}

describe("discovery", () => {
  it("serves an Intuit-shaped document on both well-known paths, without PKCE", async () => {
    for (const path of ["/.well-known/openid_sandbox_configuration", "/.well-known/openid_configuration"]) {
      const response = await fetch(`${intuit.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("intuit_tid")).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      const doc = (await response.json()) as Record<string, unknown>;
      expect(doc).toMatchObject({
        issuer: "http://intuit.test/op/v1",
        authorization_endpoint: "http://intuit.test/connect/oauth2",
        token_endpoint: "http://intuit.test/oauth2/v1/tokens/bearer",
        revocation_endpoint: "http://intuit.test/v2/oauth2/tokens/revoke",
        response_types_supported: ["code"],
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      });
      expect(doc.claims_supported).toContain("realmid");
      expect(doc).not.toHaveProperty("code_challenge_methods_supported");
    }
    expect(intuit.emulator.calls.discovery).toBe(2);
  });
});

describe("authorize and consent", () => {
  it("renders an accessible consent page listing the sandbox companies", async () => {
    const response = await fetch(authorizeUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("<title>Connect to QuickBooks — Intuit emulator</title>");
    expect(html).toContain("<legend>Company</legend>");
    expect(html).toMatch(/<button[^>]*value="connect"[^>]*>Connect<\/button>/);
    expect(html).toMatch(/<button[^>]*value="cancel"[^>]*>Cancel<\/button>/);
    expect(html).toContain('action="http://intuit.test/connect/oauth2/decision"');
    expect(html).toContain("Sandbox Company_US_1");
    expect(html).toContain('name="state" value="state-123"');
    expect(html).not.toMatch(/<(script|link|img)\b/);
  });

  it("escapes request values in the page", async () => {
    const html = await (await fetch(authorizeUrl({ state: '"><script>alert(1)</script>' }))).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("shows an error page, and does not redirect, for a redirect_uri that is not registered exactly", async () => {
    for (const bad of ["http://localhost:3000/callback/", "http://evil.example/callback", ""]) {
      const response = await fetch(authorizeUrl({ redirect_uri: bad }), { redirect: "manual" });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.text()).toContain("The redirect_uri query parameter value is invalid");
    }
  });

  it("shows an error page for an unknown client_id", async () => {
    const response = await fetch(authorizeUrl({ client_id: "someone-else" }), { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("client_id");
  });

  it("redirects with invalid_scope for an unknown scope or one without accounting", async () => {
    for (const scope of [`${ACCOUNTING} com.intuit.quickbooks.unknown`, "openid email"]) {
      const response = await fetch(authorizeUrl({ scope }), { redirect: "manual" });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") ?? "");
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get("error")).toBe("invalid_scope");
      expect(location.searchParams.get("state")).toBe("state-123");
    }
  });

  it("redirects with unsupported_response_type for anything but code", async () => {
    const response = await fetch(authorizeUrl({ response_type: "token" }), { redirect: "manual" });
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("unsupported_response_type");
  });

  it("Connect redirects with code, state and realmId; Cancel with access_denied", async () => {
    const connected = await completeConsent(authorizeUrl(), { realmId: "9341452000000002" });
    expect(connected.searchParams.get("code")).toMatch(/^AB11/);
    expect(connected.searchParams.get("state")).toBe("state-123");
    expect(connected.searchParams.get("realmId")).toBe("9341452000000002");

    const cancelled = await completeConsent(authorizeUrl(), { decision: "cancel" });
    expect(cancelled.searchParams.get("error")).toBe("access_denied");
    expect(cancelled.searchParams.get("state")).toBe("state-123");
    expect(cancelled.searchParams.has("code")).toBe(false);
    expect(intuit.emulator.calls.decision).toBe(2);
  });

  it("re-validates the hidden inputs of the decision form", async () => {
    const form = new URLSearchParams({
      client_id: intuit.clientId,
      response_type: "code",
      scope: ACCOUNTING,
      redirect_uri: "http://evil.example/steal",
      state: "s",
      realmId: REALM,
      decision: "connect",
    });
    const response = await fetch(`${intuit.origin}/connect/oauth2/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });
});

describe("token endpoint: authorization_code", () => {
  it("issues Intuit-shaped tokens with intuit_tid, without realmId and without the hard expiry unless asked", async () => {
    const code = await getCode();
    const response = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    expect(response.status).toBe(200);
    expect(response.headers.get("intuit_tid")).toBeTruthy();
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 3600, x_refresh_token_expires_in: 8726400 });
    expect(body.access_token).toMatch(/^eyJ/);
    expect(body.refresh_token).toMatch(/^AB11/);
    expect(body).not.toHaveProperty("x_refresh_token_hard_expires_in");
    expect(body).not.toHaveProperty("realmId");
    expect(body).not.toHaveProperty("id_token");
    expect(intuit.emulator.calls.tokenAuthorizationCode).toBe(1);
  });

  it("adds x_refresh_token_hard_expires_in (5-year cap) only with the request header", async () => {
    const code = await getCode();
    const response = await tokenRequest(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
      { "x-include-refresh-token-hard-expires-in": "true" },
    );
    const body = (await response.json()) as TokenJson;
    expect(body.x_refresh_token_hard_expires_in).toBe(5 * 365 * 24 * 3600);
  });

  it("accepts client_secret_post as well as Basic", async () => {
    const code = await getCode();
    const response = await fetch(intuit.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        client_id: intuit.clientId,
        client_secret: intuit.clientSecret,
      }),
    });
    expect(response.status).toBe(200);
  });

  it("answers 401 invalid_client for bad or missing client credentials", async () => {
    const code = await getCode();
    const wrong = `Basic ${btoa(`${intuit.clientId}:wrong`)}`;
    for (const authorization of [wrong, ""]) {
      const response = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }, { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get("intuit_tid")).toBeTruthy();
      expect(await response.json()).toEqual({ error: "invalid_client" });
    }
  });

  it("rejects a redirect_uri different from the authorize request", async () => {
    const code = await getCode();
    const response = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: "http://localhost:3000/other" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_grant", error_description: "Token invalid" });
  });

  it("lets a code live 10 minutes", async () => {
    const code = await getCode();
    intuit.emulator.advanceTime(601);
    const response = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("answers a replayed code with invalid_grant and revokes the tokens of the first exchange", async () => {
    const code = await getCode();
    const first = (await (await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT })).json()) as TokenJson;
    expect((await companyInfo(first.access_token)).status).toBe(200);

    const replay = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");

    expect((await companyInfo(first.access_token)).status).toBe(401);
    const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refresh.status).toBe(400);
    expect(intuit.emulator.activeTokens({ realmId: REALM })).toEqual([]);
  });

  it("requires a form-encoded body and a known grant type", async () => {
    const json = await fetch(intuit.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic },
      body: JSON.stringify({ grant_type: "refresh_token" }),
    });
    expect(json.status).toBe(400);
    const other = await tokenRequest({ grant_type: "client_credentials" });
    expect(await other.json()).toEqual({ error: "unsupported_grant_type" });
    // The JSON request is not a form, so its grant_type is not even seen: "other" as well.
    expect(intuit.emulator.calls.tokenOther).toBe(2);
  });

  it("issues an RS256 ID token with realmid when openid is asked for, verifiable with the JWKS", async () => {
    const tokens = await connect(REALM, { scope: `${ACCOUNTING} openid email` });
    const idToken = tokens.id_token ?? "";
    const [header, payload, signature] = idToken.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: "http://intuit.test/op/v1", aud: [intuit.clientId], realmid: REALM });

    const jwks = (await (await fetch(`${intuit.origin}/op/v1/jwks`)).json()) as { keys: JsonWebKey[] };
    const key = await crypto.subtle.importKey("jwk", jwks.keys[0] ?? {}, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    const valid = await crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      Buffer.from(signature ?? "", "base64url"),
      new TextEncoder().encode(`${header}.${payload}`),
    );
    expect(valid).toBe(true);

    const userinfo = await fetch(`${intuit.origin}/v1/openid_connect/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ email: "noreply@quickbooks.com" });
  });
});

describe("token endpoint: refresh_token", () => {
  it("rotates the refresh token and rejects the old one at once", async () => {
    const first = await connect();
    const response = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(response.status).toBe(200);
    const second = (await response.json()) as TokenJson;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);

    const again = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: "invalid_grant", error_description: "Incorrect or invalid refresh token" });
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(2);
  });

  it("rolls the refresh expiry forward but never past the 5-year cap", async () => {
    const first = await connect();
    intuit.emulator.advanceTime(50 * 24 * 3600);
    const rolled = (await (await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token })).json()) as TokenJson;
    expect(rolled.x_refresh_token_expires_in).toBe(8726400);

    // Pretend the realm was first authorised 5 years minus 10 days ago.
    intuit.emulator.setRealmFirstAuthorizedAt(REALM, intuit.emulator.now().getTime() - (5 * 365 - 10) * 24 * 3600 * 1000);
    const capped = (await (
      await tokenRequest({ grant_type: "refresh_token", refresh_token: rolled.refresh_token }, { "x-include-refresh-token-hard-expires-in": "true" })
    ).json()) as TokenJson;
    expect(capped.x_refresh_token_expires_in).toBe(10 * 24 * 3600);
    expect(capped.x_refresh_token_hard_expires_in).toBe(10 * 24 * 3600);

    intuit.emulator.advanceTime(10 * 24 * 3600 + 1);
    const expired = await tokenRequest({ grant_type: "refresh_token", refresh_token: capped.refresh_token });
    expect(expired.status).toBe(400);
  });

  it("refuses a refresh token presented by another client", async () => {
    const first = await connect();
    const other = `Basic ${btoa("other-client:secret")}`;
    const response = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token }, { authorization: other });
    expect(response.status).toBe(401);
  });

  it("counts a rotated refresh token presented again, and honours it within a rotation grace period", async () => {
    const first = await connect();
    const second = (await (await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token })).json()) as TokenJson;
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token })).status).toBe(400);
    expect(intuit.emulator.refreshTokenReuses()).toBe(1);

    // jsclient's README: the previous token lasts 24 h after a new one.
    intuit.emulator.setRotationGrace(24 * 3600);
    const third = await tokenRequest({ grant_type: "refresh_token", refresh_token: second.refresh_token });
    expect(third.status).toBe(200);
    const again = await tokenRequest({ grant_type: "refresh_token", refresh_token: second.refresh_token });
    expect(again.status).toBe(200);
    expect(intuit.emulator.refreshTokenReuses()).toBe(2);
    intuit.emulator.advanceTime(24 * 3600);
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: second.refresh_token })).status).toBe(400);
  });
});

describe("revoke", () => {
  it("revokes the whole grant with a JSON body and answers 200 with an empty body", async () => {
    const tokens = await connect();
    const response = await revoke(tokens.refresh_token);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(response.headers.get("intuit_tid")).toBeTruthy();
    expect((await companyInfo(tokens.access_token)).status).toBe(401);
    expect(intuit.emulator.activeTokens()).toEqual([]);
    expect(intuit.emulator.calls.revoke).toBe(1);
  });

  it("accepts an access token and a form body too", async () => {
    const tokens = await connect();
    const response = await fetch(intuit.revokeUrl, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(response.status).toBe(200);
    expect(intuit.emulator.activeTokens()).toEqual([]);
  });

  it("answers a bare 400 for an already revoked token and 401 without Basic auth", async () => {
    const tokens = await connect();
    await revoke(tokens.refresh_token);
    const again = await revoke(tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(await again.text()).toBe("");
    const unauthenticated = await revoke(tokens.refresh_token, { authorization: "" });
    expect(unauthenticated.status).toBe(401);
  });
});

describe("accounting API", () => {
  it("returns CompanyInfo for the token's realm", async () => {
    const tokens = await connect();
    const response = await companyInfo(tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("intuit_tid")).toBeTruthy();
    const body = (await response.json()) as { CompanyInfo: Record<string, unknown>; time: string };
    expect(body.CompanyInfo).toMatchObject({ CompanyName: "Sandbox Company_US_1", Country: "USA", Email: { Address: "noreply@quickbooks.com" } });
    expect(body.time).toBeTruthy();
    expect(intuit.emulator.apiRequests()).toEqual([
      expect.objectContaining({ realmId: REALM, minorVersion: "75", accept: "application/json", status: 200 }),
    ]);
  });

  it("answers 401 in the lowercase gateway dialect for missing, unknown, expired and revoked tokens", async () => {
    const tokens = await connect();
    intuit.emulator.advanceTime(3601);
    const expired = await companyInfo(tokens.access_token);
    expect(expired.status).toBe(401);
    const body = (await expired.json()) as { fault: { error: { message: string; detail: string; code: string }[]; type: string } };
    expect(body.fault.type).toBe("AUTHENTICATION");
    expect(body.fault.error[0]).toMatchObject({ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", code: "3200" });
    expect(body.fault.error[0]?.detail).toMatch(/^Token expired: /);

    expect((await companyInfo("not-a-token")).status).toBe(401);
    const missing = await fetch(`${intuit.origin}/v3/company/${REALM}/companyinfo/${REALM}`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(401);
  });

  it("answers 403 ApplicationAuthorizationFailed for another realm's token", async () => {
    const tokens = await connect(REALM);
    const response = await companyInfo(tokens.access_token, "9341452000000002");
    expect(response.status).toBe(403);
    const body = (await response.json()) as { fault: { error: { message: string }[]; type: string } };
    expect(body.fault.type).toBe("SERVICE");
    expect(body.fault.error[0]?.message).toContain("errorCode=003100");
  });

  it("stops accepting a realm's tokens after a disconnect inside QuickBooks", async () => {
    const tokens = await connect();
    expect(intuit.emulator.revokeGrant(REALM)).toBe(2);
    expect((await companyInfo(tokens.access_token)).status).toBe(401);
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })).status).toBe(400);
  });

  it("answers XML when the client does not ask for JSON", async () => {
    const tokens = await connect();
    const response = await companyInfo(tokens.access_token, REALM, "*/*");
    expect(response.headers.get("content-type")).toContain("xml");
    expect(await response.text()).toContain("<CompanyName>Sandbox Company_US_1</CompanyName>");
  });

  it("answers a small Intuit-shaped QueryResponse and a ValidationFault for a bad query", async () => {
    const tokens = await connect();
    const query = (text: string) =>
      fetch(`${intuit.origin}/v3/company/${REALM}/query?query=${encodeURIComponent(text)}&minorversion=75`, {
        headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" },
      });
    const accounts = (await (await query("select * from Account maxresults 2")).json()) as {
      QueryResponse: { Account: { Name: string }[]; startPosition: number; maxResults: number };
    };
    expect(accounts.QueryResponse.Account.map((a) => a.Name)).toEqual(["Checking", "Savings"]);
    expect(accounts.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 2 });

    const count = (await (await query("select count(*) from Account")).json()) as { QueryResponse: { totalCount: number } };
    // The demo chart's 60 accounts and 4 QuickBooks defaults; its inactive account is left out (accounts.test.ts).
    expect(count.QueryResponse.totalCount).toBe(64);
    expect(((await (await query("select * from Customer")).json()) as { QueryResponse: object }).QueryResponse).toEqual({});

    const bad = await query("select * from Nonsense");
    expect(bad.status).toBe(400);
    const fault = (await bad.json()) as { Fault: { type: string; Error: { code: string }[] } };
    expect(fault.Fault.type).toBe("ValidationFault");
    expect(fault.Fault.Error[0]?.code).toBe("4000");
  });

  it("answers Object Not Found (610) for a CompanyInfo id that is not the realm", async () => {
    const tokens = await connect();
    const response = await fetch(`${intuit.origin}/v3/company/${REALM}/companyinfo/1`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ Fault: { Error: [{ Message: "Object Not Found", code: "610" }], type: "ValidationFault" } });
  });
});

describe("injected faults", () => {
  it("answerDelayMs: acts on the request first, then holds the answer", async () => {
    const first = await connect();
    intuit.emulator.injectFault({ target: "token", answerDelayMs: 300 });
    const answer = tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    await new Promise((r) => setTimeout(r, 100));
    // Rotated before the answer left: a client that dies now has lost the new token.
    expect(intuit.emulator.activeTokens({ kind: "refresh" }).map((t) => t.token)).not.toContain(first.refresh_token);
    expect((await answer).status).toBe(200);
  });

  it("applies a fault the given number of times, then behaves normally", async () => {
    intuit.emulator.injectFault({ target: "discovery", status: 503, times: 2 });
    const discovery = `${intuit.origin}/.well-known/openid_sandbox_configuration`;
    expect((await fetch(discovery)).status).toBe(503);
    expect((await fetch(discovery)).status).toBe(503);
    expect((await fetch(discovery)).status).toBe(200);
  });

  it("uses the OAuth error shortcut with Intuit's statuses", async () => {
    intuit.emulator.injectFault({ target: "token", error: "invalid_client" });
    intuit.emulator.injectFault({ target: "token", error: "invalid_grant" });
    const first = await tokenRequest({ grant_type: "refresh_token", refresh_token: "x" });
    expect(first.status).toBe(401);
    expect(await first.json()).toEqual({ error: "invalid_client" });
    const second = await tokenRequest({ grant_type: "refresh_token", refresh_token: "x" });
    expect(second.status).toBe(400);
    expect(await second.json()).toEqual({ error: "invalid_grant", error_description: "Token invalid" });
    expect(second.headers.get("intuit_tid")).toBeTruthy();
  });

  it("gives API faults Intuit's default bodies: XML throttling, SystemFault for 5xx", async () => {
    const tokens = await connect();
    intuit.emulator.injectFault({ target: "api", status: 429 });
    intuit.emulator.injectFault({ target: "api", status: 500 });
    const throttled = await companyInfo(tokens.access_token);
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain("errorCode=003001");
    const failed = await companyInfo(tokens.access_token);
    expect(await failed.json()).toMatchObject({ Fault: { type: "SystemFault" } });
  });

  it("sends a custom body and content type verbatim", async () => {
    intuit.emulator.injectFault({ target: "revoke", status: 502, body: "<html>Bad gateway</html>", contentType: "text/html" });
    const response = await revoke("anything");
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("text/html");
    expect(await response.text()).toBe("<html>Bad gateway</html>");
  });
});

describe("HTTP control endpoints", () => {
  it("injects faults, revokes grants, reports state and resets", async () => {
    const tokens = await connect();
    const post = (path: string, body: unknown) =>
      fetch(`${intuit.origin}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    expect((await post("faults", { target: "api", status: 503 })).status).toBe(201);
    expect((await post("faults", { target: "nowhere" })).status).toBe(400);
    expect((await companyInfo(tokens.access_token)).status).toBe(503);

    const state = (await (await fetch(`${intuit.origin}/__emulator/state`)).json()) as {
      calls: { api: number };
      activeTokens: { preview: string }[];
    };
    expect(state.calls.api).toBe(1);
    expect(state.activeTokens).toHaveLength(2);
    // The state endpoint never shows whole tokens.
    expect(JSON.stringify(state)).not.toContain(tokens.access_token);

    expect(await (await post("revoke-grant", { realmId: REALM })).json()).toEqual({ ok: true, revokedTokens: 2 });
    expect((await companyInfo(tokens.access_token)).status).toBe(401);

    await post("advance-time", { seconds: 60 });
    expect((await post("reset", {})).status).toBe(200);
    expect(intuit.emulator.calls.api).toBe(0);
    expect(intuit.emulator.activeTokens()).toEqual([]);
  });
});

describe("load-test companies", () => {
  it("connects any realm 93414530000NNNNN through the consent form and serves its CompanyInfo", async () => {
    const { loadTestRealmId } = await import("./fixtures");
    const realmId = loadTestRealmId(42);
    expect(realmId).toBe("9341453000000042");
    const tokens = await connect(realmId);
    const response = await companyInfo(tokens.access_token, realmId);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ CompanyInfo: { CompanyName: "Load Test Company_42" } });
    // Other unknown realms stay unknown.
    await expect(completeConsent(authorizeUrl(), { realmId: "9341453000001" })).rejects.toThrow(/HTTP 400/);
  });
});

describe("independent emulators", () => {
  it("keeps state per createIntuitEmulator call", async () => {
    const { createIntuitEmulator } = await import("./handlers");
    const a = createIntuitEmulator({ origin: "http://a.test" });
    const b = createIntuitEmulator({ origin: "http://b.test" });
    a.state.injectFault({ target: "api", status: 500 });
    expect(a.state.pendingFaults()).toHaveLength(1);
    expect(b.state.pendingFaults()).toHaveLength(0);
  });
});
