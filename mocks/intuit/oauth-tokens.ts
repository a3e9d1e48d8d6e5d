// Intuit's token and revoke endpoints: client authentication, the authorization_code and refresh_token grants, and
// revocation. The rules themselves (single-use codes, rotation, revocation of a realm) are the store's (grants.ts);
// this module reads the requests and writes the answers as Intuit does (intuit.md §2–3).

import type { HttpHandler } from "msw";
import { PATHS, isKnownClient, route, type EmulatorContext } from "./context";
import type { OAuthFailure, TokenIssue } from "./grants";
import { emptyResponse, jsonResponse, oauthErrorResponse } from "./intuit-responses";

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";

// ---------------------------------------------------------------- client authentication

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * `Basic base64(id:secret)`, compared raw. RFC 6749 §2.3.1 says to form-encode both first (oauth4webapi's
 * ClientSecretBasic does, turning "-" into %2D), but Intuit's SDKs send them raw and Intuit documents no decoding,
 * so the emulator does not decode: the worst case for a client.
 */
function readBasicCredentials(header: string | null): ClientCredentials | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  try {
    const decoded = atob(match[1]);
    const separator = decoded.indexOf(":");
    if (separator < 0) return null;
    return { clientId: decoded.slice(0, separator), clientSecret: decoded.slice(separator + 1) };
  } catch {
    return null;
  }
}

function readPostCredentials(form: URLSearchParams): ClientCredentials | null {
  const clientId = form.get("client_id");
  const clientSecret = form.get("client_secret");
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

function isValidClient(ctx: EmulatorContext, credentials: ClientCredentials | null): credentials is ClientCredentials {
  // Either of the app's keys: development (sandbox companies) or production.
  return credentials !== null && isKnownClient(ctx, credentials.clientId, credentials.clientSecret);
}

const INVALID_CLIENT: OAuthFailure = { error: "invalid_client", status: 401 };

// ---------------------------------------------------------------- token

async function grantTypeCounter(request: Request) {
  const form = new URLSearchParams(await request.clone().text());
  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") return "tokenAuthorizationCode" as const;
  if (grantType === "refresh_token") return "tokenRefreshToken" as const;
  return "tokenOther" as const;
}

function wantsHardExpiry(request: Request): boolean {
  return request.headers.get(HARD_EXPIRY_HEADER)?.trim().toLowerCase() === "true";
}

async function tokenBody(
  ctx: EmulatorContext,
  issue: TokenIssue,
  options: { hardExpiry: boolean; idToken: boolean; clientId: string },
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {
    x_refresh_token_expires_in: issue.refreshExpiresInSeconds,
    refresh_token: issue.refreshToken,
    access_token: issue.accessToken,
    token_type: "bearer",
    expires_in: issue.accessExpiresInSeconds,
  };
  // Only sent on request (jsclient 4.2.4; intuit.md §3).
  if (options.hardExpiry) body.x_refresh_token_hard_expires_in = issue.hardExpiresInSeconds;
  if (options.idToken && issue.scope.includes("openid")) {
    body.id_token = await ctx.idTokens.sign({
      issuer: `${ctx.origin}${PATHS.issuer}`,
      // The audience is the app whose keys asked: development or production.
      clientId: options.clientId,
      subject: subjectFor(issue.realmId),
      realmId: issue.realmId,
      issuedAtMs: ctx.store.now(),
      ttlSeconds: 3600,
    });
  }
  return body;
}

function missingParameter(name: string): OAuthFailure {
  return { error: "invalid_request", description: `${name} is required`, status: 400 };
}

async function handleTokenRequest(ctx: EmulatorContext, request: Request): Promise<Response> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().includes(FORM_CONTENT_TYPE)) {
    return oauthErrorResponse({ error: "invalid_request", description: "Content-Type must be form-encoded", status: 400 });
  }
  const form = new URLSearchParams(await request.text());
  const credentials = readBasicCredentials(request.headers.get("authorization")) ?? readPostCredentials(form);
  if (!isValidClient(ctx, credentials)) return oauthErrorResponse(INVALID_CLIENT);

  const options = { hardExpiry: wantsHardExpiry(request), clientId: credentials.clientId };
  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") {
    const code = form.get("code");
    const redirectUri = form.get("redirect_uri");
    if (!code) return oauthErrorResponse(missingParameter("code"));
    if (!redirectUri) return oauthErrorResponse(missingParameter("redirect_uri"));
    const result = ctx.store.exchangeAuthorizationCode({ clientId: credentials.clientId, code, redirectUri });
    if (!result.ok) return oauthErrorResponse(result.failure);
    return jsonResponse(await tokenBody(ctx, result.value, { ...options, idToken: true }));
  }
  if (grantType === "refresh_token") {
    const refreshToken = form.get("refresh_token");
    if (!refreshToken) return oauthErrorResponse(missingParameter("refresh_token"));
    const result = ctx.store.refresh({ clientId: credentials.clientId, refreshToken });
    if (!result.ok) return oauthErrorResponse(result.failure);
    return jsonResponse(await tokenBody(ctx, result.value, { ...options, idToken: false }));
  }
  return oauthErrorResponse({ error: "unsupported_grant_type", status: 400 });
}

// ---------------------------------------------------------------- revoke

/** Intuit documents a JSON body; node-quickbooks sends a form and it works too, so both are read. */
async function readRevokeToken(request: Request): Promise<string | null> {
  const text = await request.text();
  const contentType = (request.headers.get("content-type") ?? "").toLowerCase();
  if (contentType.includes(FORM_CONTENT_TYPE)) return new URLSearchParams(text).get("token");
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === "object" && "token" in body && typeof body.token === "string") return body.token;
  } catch {
    // Not JSON: treated as a missing token below.
  }
  return null;
}

async function handleRevokeRequest(ctx: EmulatorContext, request: Request): Promise<Response> {
  // Revoke takes Basic auth only (jsclient revoke(), oauth2-nodejs).
  const credentials = readBasicCredentials(request.headers.get("authorization"));
  if (!isValidClient(ctx, credentials)) return oauthErrorResponse(INVALID_CLIENT);
  const token = await readRevokeToken(request);
  if (!token) return oauthErrorResponse({ error: "invalid_request", status: 400 });
  const revoked = ctx.store.revokeByToken({ clientId: credentials.clientId, token });
  // Success is a 200 with an empty body (oauth-jsclient#170); an unknown or already revoked token a bare 400 (#18, #71).
  return emptyResponse(revoked ? 200 : 400);
}

// ---------------------------------------------------------------- the subject

/** A stable pseudo user id per company, so repeated sign-ins look like the same Intuit user. */
export function subjectFor(realmId: string): string {
  return `00000000-0000-4000-8000-${realmId.padStart(12, "0").slice(-12)}`;
}

export function tokenHandlers(ctx: EmulatorContext): HttpHandler[] {
  return [
    route(ctx, "post", PATHS.token, { faultTarget: "token", count: grantTypeCounter }, (request) =>
      handleTokenRequest(ctx, request),
    ),
    route(ctx, "post", PATHS.revoke, { faultTarget: "revoke", count: () => "revoke" }, (request) =>
      handleRevokeRequest(ctx, request),
    ),
  ];
}
