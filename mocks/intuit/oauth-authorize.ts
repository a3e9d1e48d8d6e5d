// Intuit's consent flow: GET /connect/oauth2 shows the consent page, POST /connect/oauth2/decision answers it with a
// redirect back to the app carrying `code`, `state` and `realmId` (or an error). Behaviour follows
// /work/shared/intuit.md §1–2.

import type { HttpHandler } from "msw";
import { PATHS, environmentOfClient, route, type EmulatorContext } from "./context";
import { ACCOUNTING_SCOPE, KNOWN_SCOPES, companiesOf, findCompany } from "./fixtures";
import { htmlResponse, renderAuthorizePage, renderErrorPage, type AuthorizeParams } from "./pages";

const INVALID_REDIRECT_MESSAGE =
  "The redirect_uri query parameter value is invalid. Make sure it is listed in the Redirect URIs section on your app's keys tab and matches it exactly.";

type AuthorizeProblem =
  | { kind: "page"; status: number; message: string }
  | { kind: "redirect"; error: string; description: string };

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
  if (environmentOfClient(ctx, params.client_id) === null) {
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

export function authorizeHandlers(ctx: EmulatorContext): HttpHandler[] {
  const authorize = route(ctx, "get", PATHS.authorize, { count: () => "authorize" }, async (request) => {
    const params = readAuthorizeParams(new URL(request.url).searchParams);
    const problem = validateAuthorizeParams(ctx, params);
    if (problem) return problemResponse(problem, params);
    // Development keys are offered the sandbox companies, production keys the production ones (never both).
    const environment = environmentOfClient(ctx, params.client_id)!;
    return htmlResponse(renderAuthorizePage(params, companiesOf(environment), `${ctx.origin}${PATHS.decision}`));
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
    // A company of the keys' environment only: the page never offers the others, and a forged form gets no code.
    if (!company || company.environment !== environmentOfClient(ctx, params.client_id)) return htmlResponse(renderErrorPage("Choose a company to connect."), 400);
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
