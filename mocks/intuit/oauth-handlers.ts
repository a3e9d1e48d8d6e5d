// Intuit's OAuth 2.0 / OpenID endpoints: discovery, the consent screen, token, revoke, userinfo, JWKS.
// Behaviour follows /work/shared/intuit.md §1–3; each rule cites the section it comes from.

import type { HttpHandler } from "msw";
import { PATHS, route, type EmulatorContext } from "./context";
import type { OAuthFailure, TokenIssue } from "./emulator-state";
import { ACCOUNTING_SCOPE, KNOWN_SCOPES, SANDBOX_COMPANIES, findCompany } from "./fixtures";
import { emptyResponse, jsonResponse, oauthErrorResponse } from "./intuit-responses";
import { htmlResponse, renderAuthorizePage, renderErrorPage, type AuthorizeParams } from "./pages";

const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
const HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";
const INVALID_REDIRECT_MESSAGE =
  "The redirect_uri query parameter value is invalid. Make sure it is listed in the Redirect URIs section on your app's keys tab and matches it exactly.";

type AuthorizeProblem =
  | { kind: "page"; status: number; message: string }
  | { kind: "redirect"; error: string; description: string };

// ---------------------------------------------------------------- discovery

/** Intuit's discovery document (intuit.md §1). Deliberately no code_challenge_methods_supported: Intuit has none. */
export function discoveryDocument(origin: string): Record<string, unknown> {
  return {
    issuer: `${origin}${PATHS.issuer}`,
    authorization_endpoint: `${origin}${PATHS.authorize}`,
    token_endpoint: `${origin}${PATHS.token}`,
    userinfo_endpoint: `${origin}${PATHS.userinfo}`,
    revocation_endpoint: `${origin}${PATHS.revoke}`,
    jwks_uri: `${origin}${PATHS.jwks}`,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "email", "profile", "address", "phone"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    claims_supported: ["aud", "exp", "iat", "iss", "realmid", "sub"],
  };
}

// ---------------------------------------------------------------- authorize

function readAuthorizeParams(source: URLSearchParams): AuthorizeParams {
  return {
    client_id: source.get("client_id") ?? "",
    response_type: source.get("response_type") ?? "",
    scope: source.get("scope") ?? "",
    redirect_uri: source.get("redirect_uri") ?? "",
    state: source.get("state") ?? "",
  };
}

function isLocalRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
    return local && (url.protocol === "http:" || url.protocol === "https:") && url.hash === "";
  } catch {
    return false;
  }
}

export function isAllowedRedirectUri(ctx: EmulatorContext, uri: string): boolean {
  // Intuit compares redirect URIs exactly; with no list configured the emulator plays a sandbox app with any localhost URI.
  if (ctx.redirectUris.length > 0) return ctx.redirectUris.includes(uri);
  return isLocalRedirect(uri);
}

function scopeProblem(scope: string): string | null {
  const scopes = scope.split(" ").filter(Boolean);
  const unknown = scopes.filter((item) => !KNOWN_SCOPES.has(item));
  if (unknown.length > 0) return `Unknown scope: ${unknown.join(" ")}`;
  if (!scopes.includes(ACCOUNTING_SCOPE)) return `The scope must include ${ACCOUNTING_SCOPE}`;
  return null;
}

/** Client and redirect problems get an error page (nothing can be trusted to redirect to); the rest redirect back. */
function validateAuthorizeParams(ctx: EmulatorContext, params: AuthorizeParams): AuthorizeProblem | null {
  if (params.client_id !== ctx.clientId) {
    return { kind: "page", status: 400, message: "The client_id query parameter value is invalid." };
  }
  if (!isAllowedRedirectUri(ctx, params.redirect_uri)) {
    return { kind: "page", status: 400, message: INVALID_REDIRECT_MESSAGE };
  }
  if (params.response_type !== "code") {
    return { kind: "redirect", error: "unsupported_response_type", description: "response_type must be code" };
  }
  const scopeError = scopeProblem(params.scope);
  if (scopeError) return { kind: "redirect", error: "invalid_scope", description: scopeError };
  if (!params.state) return { kind: "redirect", error: "invalid_request", description: "state is required" };
  return null;
}

function redirectTo(redirectUri: string, query: Record<string, string>): Response {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(query)) if (value) target.searchParams.set(key, value);
  return new Response(null, { status: 302, headers: { location: target.href, "cache-control": "no-store" } });
}

function problemResponse(problem: AuthorizeProblem, params: AuthorizeParams): Response {
  if (problem.kind === "page") return htmlResponse(renderErrorPage(problem.message), problem.status);
  return redirectTo(params.redirect_uri, {
    error: problem.error,
    error_description: problem.description,
    state: params.state,
  });
}

function authorizeHandlers(ctx: EmulatorContext): HttpHandler[] {
  const authorize = route(ctx, "get", PATHS.authorize, { count: () => "authorize" }, async (request) => {
    const params = readAuthorizeParams(new URL(request.url).searchParams);
    const problem = validateAuthorizeParams(ctx, params);
    if (problem) return problemResponse(problem, params);
    return htmlResponse(renderAuthorizePage(params, SANDBOX_COMPANIES, `${ctx.origin}${PATHS.decision}`));
  });

  const decision = route(ctx, "post", PATHS.decision, { count: () => "decision" }, async (request) => {
    const form = new URLSearchParams(await request.text());
    const params = readAuthorizeParams(form);
    // Hidden inputs come back from the browser: validate them again rather than trust them.
    const problem = validateAuthorizeParams(ctx, params);
    if (problem) return problemResponse(problem, params);
    if (form.get("decision") !== "connect") {
      return redirectTo(params.redirect_uri, { error: "access_denied", state: params.state });
    }
    const company = findCompany(form.get("realmId") ?? "");
    if (!company) return htmlResponse(renderErrorPage("Choose a company to connect."), 400);
    const code = ctx.store.issueAuthorizationCode({
      clientId: params.client_id,
      redirectUri: params.redirect_uri,
      realmId: company.realmId,
      scope: params.scope.split(" ").filter(Boolean),
    });
    // realmId travels on the callback only; the token response never carries it (intuit.md §2).
    return redirectTo(params.redirect_uri, { code, state: params.state, realmId: company.realmId });
  });

  return [authorize, decision];
}

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
  return credentials?.clientId === ctx.clientId && credentials.clientSecret === ctx.clientSecret;
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
  options: { hardExpiry: boolean; idToken: boolean },
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
      clientId: ctx.clientId,
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

  const options = { hardExpiry: wantsHardExpiry(request) };
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

// ---------------------------------------------------------------- userinfo

/** A stable pseudo user id per company, so repeated sign-ins look like the same Intuit user. */
function subjectFor(realmId: string): string {
  return `00000000-0000-4000-8000-${realmId.padStart(12, "0").slice(-12)}`;
}

async function handleUserinfo(ctx: EmulatorContext, request: Request): Promise<Response> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  const check = ctx.store.checkAccessToken(token);
  if (!check.ok) return jsonResponse({ error: "invalid_token" }, 401);
  if (!check.token.scope.includes("openid")) return jsonResponse({ error: "insufficient_scope" }, 403);
  const company = findCompany(check.token.realmId);
  return jsonResponse({
    sub: subjectFor(check.token.realmId),
    email: company?.email ?? "user@example.com",
    emailVerified: true,
    givenName: "Sandbox",
    familyName: "User",
  });
}

// ---------------------------------------------------------------- all together

export function oauthHandlers(ctx: EmulatorContext): HttpHandler[] {
  const discovery = async () => jsonResponse(discoveryDocument(ctx.origin));
  const discoveryOptions = { faultTarget: "discovery", count: () => "discovery" as const } as const;
  return [
    route(ctx, "get", PATHS.discoverySandbox, discoveryOptions, discovery),
    route(ctx, "get", PATHS.discoveryProduction, discoveryOptions, discovery),
    ...authorizeHandlers(ctx),
    route(ctx, "post", PATHS.token, { faultTarget: "token", count: grantTypeCounter }, (request) =>
      handleTokenRequest(ctx, request),
    ),
    route(ctx, "post", PATHS.revoke, { faultTarget: "revoke", count: () => "revoke" }, (request) =>
      handleRevokeRequest(ctx, request),
    ),
    route(ctx, "get", PATHS.userinfo, { count: () => "userinfo" }, (request) => handleUserinfo(ctx, request)),
    route(ctx, "get", PATHS.jwks, { count: () => "jwks" }, async () => jsonResponse(await ctx.idTokens.jwks())),
  ];
}
