// Intuit's OAuth 2.0 / OpenID endpoints: discovery, userinfo and JWKS here; the consent screen in oauth-authorize.ts;
// token and revoke in oauth-tokens.ts. Behaviour follows /work/shared/intuit.md §1–3; each rule cites its section.

import type { HttpHandler } from "msw";
import { PATHS, route, type EmulatorContext } from "./context";
import { findCompany } from "./fixtures";
import { jsonResponse } from "./intuit-responses";
import { authorizeHandlers } from "./oauth-authorize";
import { subjectFor, tokenHandlers } from "./oauth-tokens";

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

// ---------------------------------------------------------------- userinfo

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
    ...tokenHandlers(ctx),
    route(ctx, "get", PATHS.userinfo, { count: () => "userinfo" }, (request) => handleUserinfo(ctx, request)),
    route(ctx, "get", PATHS.jwks, { count: () => "jwks" }, async () => jsonResponse(await ctx.idTokens.jwks())),
  ];
}
