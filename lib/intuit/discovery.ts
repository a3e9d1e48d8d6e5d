// Intuit's discovery document → an oauth4webapi AuthorizationServer, cached per URL for 10 minutes.
//
// Why not oauth4webapi.discoveryRequest: it derives the URL from an issuer identifier by appending
// "/.well-known/openid-configuration" (hyphen), while Intuit serves "/.well-known/openid_configuration" and
// "…/openid_sandbox_configuration" (underscores) on another host than its issuer (developer.api.intuit.com vs
// oauth.platform.intuit.com/op/v1). So the document is fetched here (same headers and redirect policy as
// discoveryRequest) and handed to processDiscoveryResponse. Its issuer check compares against an *expected
// issuer*, which cannot be derived from the discovery URL for Intuit: pass `expectedIssuer` to pin it; otherwise
// the document's own issuer is used (no pinning) and the document is validated with zod.

import * as oauth from "oauth4webapi";
import { IntuitOAuthError } from "./oauth-error";
import { intuitFetch } from "../http/server-timing";
import { classifyTransportFailure, isPermittedEndpoint, readIntuitTid, timeoutSignal, type IntuitCallOptions } from "./http";
import { discoveryDocumentSchema, type DiscoveryDocument } from "./schemas";

export const DISCOVERY_CACHE_TTL_MS = 10 * 60 * 1000;

export interface FetchDiscoveryOptions extends IntuitCallOptions {
  /** Pin the issuer, e.g. "https://oauth.platform.intuit.com/op/v1". Default: not compared (see above). */
  expectedIssuer?: string;
}

interface CacheEntry {
  expiresAt: number;
  server: Promise<oauth.AuthorizationServer>;
}

// The document is public and identical for every tenant, so a process-wide cache is safe.
const cache = new Map<string, CacheEntry>();

export function clearDiscoveryCache(): void {
  cache.clear();
}

function discoveryError(code: string, status: number | null, intuitTid: string | null, cause?: unknown): IntuitOAuthError {
  return new IntuitOAuthError({ code, status, intuitTid, endpoint: "discovery", cause });
}

async function requestDocument(url: URL, options: FetchDiscoveryOptions): Promise<Response> {
  try {
    return await (options.fetch ?? intuitFetch)(url.href, {
      method: "GET",
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: timeoutSignal(options),
    });
  } catch (error) {
    const failure = classifyTransportFailure(error);
    throw discoveryError(failure, null, null, failure === "network" ? error : undefined);
  }
}

/** Every endpoint the app will call must pass the same https rule as the document itself. */
function assertPermittedEndpoints(server: oauth.AuthorizationServer, intuitTid: string | null): void {
  const endpoints = [server.authorization_endpoint, server.token_endpoint, server.revocation_endpoint];
  for (const endpoint of endpoints) {
    if (endpoint === undefined || !isPermittedEndpoint(new URL(endpoint))) {
      throw discoveryError("insecure_request", 200, intuitTid);
    }
  }
}

async function readDocument(response: Response): Promise<DiscoveryDocument | null> {
  try {
    const parsed = discoveryDocumentSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch (error) {
    if (error instanceof DOMException) throw discoveryError(classifyTransportFailure(error), response.status, readIntuitTid(response.headers));
    return null;
  }
}

async function loadAuthorizationServer(url: URL, options: FetchDiscoveryOptions): Promise<oauth.AuthorizationServer> {
  if (!isPermittedEndpoint(url)) throw discoveryError("insecure_request", null, null);
  const response = await requestDocument(url, options);
  const intuitTid = readIntuitTid(response.headers);
  if (response.status >= 500) throw discoveryError("server_error", response.status, intuitTid);

  // Validate a copy with zod first: it yields the document's own issuer, which stands in as the "expected" one
  // when none is pinned (oauth4webapi's typed API has no way to skip the comparison).
  const document = await readDocument(response.clone());
  if (!document) throw discoveryError("unexpected_response", response.status, intuitTid);

  let server: oauth.AuthorizationServer;
  try {
    const expected = new URL(options.expectedIssuer ?? document.issuer);
    server = await oauth.processDiscoveryResponse(expected, response);
  } catch (error) {
    const failure = error instanceof DOMException ? classifyTransportFailure(error) : "unexpected_response";
    throw discoveryError(failure, response.status, intuitTid);
  }
  assertPermittedEndpoints(server, intuitTid);
  return Object.freeze(server);
}

/**
 * Loads (or returns the cached) authorization server for a discovery URL. Failures are not cached.
 * Throws IntuitOAuthError with code network | timeout | server_error | insecure_request | unexpected_response.
 */
export async function fetchDiscovery(url: string | URL, options: FetchDiscoveryOptions = {}): Promise<oauth.AuthorizationServer> {
  const target = new URL(url);
  const key = `${target.href} ${options.expectedIssuer ?? ""}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.server;

  const server = loadAuthorizationServer(target, options);
  cache.set(key, { expiresAt: Date.now() + DISCOVERY_CACHE_TTL_MS, server });
  // Concurrent callers share the in-flight load; a failed load is forgotten so the next call retries.
  server.catch(() => {
    if (cache.get(key)?.server === server) cache.delete(key);
  });
  return server;
}

/** Intuit advertises no PKCE method today (intuit.md §1); if it ever lists S256 the app can start using it. */
export function supportsPkceS256(as: oauth.AuthorizationServer): boolean {
  return as.code_challenge_methods_supported?.includes("S256") === true;
}
