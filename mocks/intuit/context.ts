// What every group of handlers shares, and the wrapper that gives each route Intuit's common behaviour:
// call counting, per-realm throttling of the API, injected faults, the intuit_tid header, and a 500 instead of a
// crash on an emulator bug.

import { http, type HttpHandler } from "msw";
import type { EmulatorFault, FaultTarget } from "./fault-queue";
import type { createIdTokenSigner } from "./id-token";
import {
  emptyResponse,
  gatewayFaultBody,
  jsonResponse,
  oauthErrorResponse,
  serviceFaultBody,
  throttleExceededBody,
  throttleXml,
  xmlResponse,
} from "./intuit-responses";
import type { IntuitOperation } from "../../lib/intuit/operations";
import type { CompanyEnvironment } from "./fixtures";
import { newIntuitTid } from "./random";
import type { EmulatorCalls, EmulatorStore } from "./store";

export interface ApiRequestRecord {
  method: string;
  path: string;
  /** The operation lib/intuit/operations.ts classifies the request as (what Intuit meters it as); null: none. */
  operation: IntuitOperation | null;
  realmId: string;
  minorVersion: string | null;
  accept: string | null;
  status: number;
  /** The query string, e.g. CDC's entities and changedSince (API query strings carry no secrets). */
  query: Record<string, string>;
}

export interface EmulatorContext {
  origin: string;
  /** The development keys: they connect sandbox companies. */
  clientId: string;
  clientSecret: string;
  /** The production keys: they connect production companies (fixtures.ts PRODUCTION_COMPANIES). */
  productionClientId: string;
  productionClientSecret: string;
  redirectUris: readonly string[];
  accessTokenTtlSeconds: number;
  webhookVerifierToken: string;
  store: EmulatorStore;
  idTokens: ReturnType<typeof createIdTokenSigner>;
  apiRequests: ApiRequestRecord[];
}

export const PATHS = {
  discoveryProduction: "/.well-known/openid_configuration",
  discoverySandbox: "/.well-known/openid_sandbox_configuration",
  issuer: "/op/v1",
  jwks: "/op/v1/jwks",
  authorize: "/connect/oauth2",
  decision: "/connect/oauth2/decision",
  token: "/oauth2/v1/tokens/bearer",
  revoke: "/v2/oauth2/tokens/revoke",
  userinfo: "/v1/openid_connect/userinfo",
  companyInfo: "/v3/company/:realmId/companyinfo/:id",
  query: "/v3/company/:realmId/query",
  cdc: "/v3/company/:realmId/cdc",
  report: "/v3/company/:realmId/reports/:reportName",
  control: "/__emulator",
} as const;

/**
 * Which companies an app's keys reach: Intuit gives each app development keys (sandbox companies) and production keys
 * (real companies), and neither reaches the other's companies (intuit.md §4: 403 for a sandbox/production mismatch).
 * null: not keys of this emulator's app.
 */
export function environmentOfClient(ctx: EmulatorContext, clientId: string): CompanyEnvironment | null {
  if (clientId === ctx.clientId) return "sandbox";
  if (clientId === ctx.productionClientId) return "production";
  return null;
}

/** Whether the credentials are one of the app's two pairs of keys. */
export function isKnownClient(ctx: EmulatorContext, clientId: string, clientSecret: string): boolean {
  const environment = environmentOfClient(ctx, clientId);
  if (environment === "sandbox") return clientSecret === ctx.clientSecret;
  if (environment === "production") return clientSecret === ctx.productionClientSecret;
  return false;
}

export type RouteResolver = (request: Request, params: Record<string, string>) => Promise<Response>;

interface RouteOptions {
  /** Which injected faults apply to this route. */
  faultTarget?: FaultTarget;
  /** Which counter(s) to bump; may read a clone of the request (the token endpoint counts per grant_type). */
  count?: (request: Request) => Promise<keyof EmulatorCalls | null> | keyof EmulatorCalls | null;
  /** Control routes are not part of Intuit and carry no intuit_tid. */
  traced?: boolean;
  /** Accounting API routes: the request counts against the limits of the realm in its `:realmId` (realm-limits.ts). */
  limitedByRealm?: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function flattenParams(params: Record<string, string | readonly string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string") out[key] = value;
    else if (value && value[0] !== undefined) out[key] = value[0];
  }
  return out;
}

function respondsToFault(fault: EmulatorFault): boolean {
  return fault.status !== undefined || fault.error !== undefined || fault.body !== undefined;
}

function explicitFaultBody(fault: EmulatorFault, status: number): Response {
  if (typeof fault.body === "string") {
    return new Response(fault.body, { status, headers: { "content-type": fault.contentType ?? "text/plain;charset=UTF-8" } });
  }
  return new Response(JSON.stringify(fault.body), {
    status,
    headers: { "content-type": fault.contentType ?? "application/json;charset=UTF-8" },
  });
}

const OAUTH_ERROR_DESCRIPTIONS: Record<string, string> = {
  invalid_grant: "Token invalid",
};

/** A representative Intuit body for a fault injected without one. */
function defaultFaultBody(target: FaultTarget, status: number, epochMs: number): Response {
  if (target === "token" || target === "revoke") {
    if (status === 401) return oauthErrorResponse({ error: "invalid_client", status });
    // The token endpoint answers invalid_grant; the revoke endpoint answers a bare 400 (intuit/oauth-jsclient#18, #71).
    if (status === 400 && target === "token") return oauthErrorResponse({ error: "invalid_grant", description: "Token invalid", status });
    return emptyResponse(status);
  }
  if (target === "api") return defaultApiFault(status, epochMs);
  return emptyResponse(status);
}

function defaultApiFault(status: number, epochMs: number): Response {
  if (status === 401) {
    const spec = { status, name: "AuthenticationFailed", errorCode: "003200", detail: "Token invalid", type: "AUTHENTICATION" };
    return jsonResponse(gatewayFaultBody(spec, epochMs), status);
  }
  if (status === 403) {
    const spec = { status, name: "ApplicationAuthorizationFailed", errorCode: "003100", detail: null, type: "SERVICE" };
    return jsonResponse(gatewayFaultBody(spec, epochMs), status);
  }
  if (status === 429) return xmlResponse(throttleXml(epochMs, status), status);
  if (status >= 500) {
    const error = {
      message: "An application error has occurred while processing your request",
      detail: "System Failure Error: An unexpected error occurred while accessing or saving your data.",
      code: "10000",
    };
    return jsonResponse(serviceFaultBody("SystemFault", error, epochMs), status);
  }
  const error = { message: "Request has invalid or unsupported property", detail: "Injected fault", code: "2010" };
  return jsonResponse(serviceFaultBody("ValidationFault", error, epochMs), status);
}

function faultResponse(fault: EmulatorFault, epochMs: number): Response {
  const status = fault.status ?? (fault.error === "invalid_client" ? 401 : 400);
  if (fault.body !== undefined) return explicitFaultBody(fault, status);
  if (fault.error !== undefined) {
    return oauthErrorResponse({ error: fault.error, description: OAUTH_ERROR_DESCRIPTIONS[fault.error], status });
  }
  return defaultFaultBody(fault.target, status, epochMs);
}

/** Copies a response so its headers can be changed (Response.redirect and fetched responses have immutable headers). */
function withHeader(response: Response, name: string, value: string): Response {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Always the gateway's JSON, whatever the Accept header: the shape the app is built against. The XML variant Intuit has
 * also been seen to send (throttleXml) stays available as an injected 429 fault, so a client can be tested on both.
 */
function throttleExceeded(epochMs: number, retryAfterSeconds: number | null): Response {
  const headers: Record<string, string> = retryAfterSeconds === null ? {} : { "retry-after": String(retryAfterSeconds) };
  return jsonResponse(throttleExceededBody(epochMs), 429, headers);
}

async function runRoute(
  ctx: EmulatorContext,
  options: RouteOptions,
  resolver: RouteResolver,
  request: Request,
  params: Record<string, string>,
): Promise<Response> {
  const counter = options.count ? await options.count(request) : null;
  if (counter) ctx.store.calls[counter] += 1;
  if (!options.limitedByRealm) return answer(ctx, options, resolver, request, params);
  // Intuit's gateway throttles before the service sees the request, so a throttled request uses up no injected fault.
  const admission = ctx.store.admitApiRequest(params.realmId ?? "");
  if (!admission.ok) return throttleExceeded(ctx.store.now(), admission.retryAfterSeconds);
  try {
    return await answer(ctx, options, resolver, request, params);
  } finally {
    // In flight until the answer exists, an injected delay included: a slow answer holds its concurrency slot throughout.
    admission.release();
  }
}

/** The route's own answer, or the injected fault that replaces or delays it. */
async function answer(
  ctx: EmulatorContext,
  options: RouteOptions,
  resolver: RouteResolver,
  request: Request,
  params: Record<string, string>,
): Promise<Response> {
  const fault = options.faultTarget ? ctx.store.takeFault(options.faultTarget) : null;
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault && respondsToFault(fault)) return faultResponse(fault, ctx.store.now());
  try {
    const response = await resolver(request, params);
    if (fault?.answerDelayMs) await sleep(fault.answerDelayMs);
    return response;
  } catch (error) {
    // An emulator bug should look like an Intuit outage, not hang or crash the test process.
    console.error("[intuit emulator] handler failed", error);
    return new Response("Internal emulator error", { status: 500, headers: { "content-type": "text/plain" } });
  }
}

export function route(
  ctx: EmulatorContext,
  method: "get" | "post",
  path: string,
  options: RouteOptions,
  resolver: RouteResolver,
): HttpHandler {
  return http[method](`${ctx.origin}${path}`, async ({ request, params }) => {
    const response = await runRoute(ctx, options, resolver, request, flattenParams(params));
    // Intuit stamps every response, success or error, with a trace id support can look up.
    return options.traced === false ? response : withHeader(response, "intuit_tid", newIntuitTid());
  });
}
