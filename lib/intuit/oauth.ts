// Intuit OAuth 2.0 for a confidential client: the consent URL, the code exchange, refresh, and revoke.
// Token calls use oauth4webapi's request/process pairs with HTTP Basic client authentication (raw id:secret, see
// intuitClientSecretBasic); revoke is a plain
// fetch because Intuit wants a JSON body there (see revokeToken). Every call has a timeout and every failure is
// an IntuitOAuthError whose message carries no token, code or secret.

import * as oauth from "oauth4webapi";
import { z } from "zod";
import {
  allowsInsecureRequests,
  classifyTransportFailure,
  isPermittedEndpoint,
  readIntuitTid,
  redactSecrets,
  timeoutSignal,
  type IntuitCallOptions,
} from "./http";
import { intuitFetch } from "../http/server-timing";
import { IntuitOAuthError } from "./oauth-error";
import { oauthErrorResponseSchema, tokenResponseSchema } from "./schemas";

export { IntuitOAuthError, type IntuitOAuthErrorCode } from "./oauth-error";

/** Asks Intuit to add x_refresh_token_hard_expires_in (the 5-year cap) to token responses (intuit.md §3). */
export const HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";

export interface IntuitClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface IntuitTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives (Intuit: 3600). */
  expiresInSeconds: number;
  /** Seconds the refresh token lives, rolling (Intuit: about 100 days). */
  refreshTokenExpiresInSeconds: number;
  /** Seconds left of the 5-year cap, or null when Intuit did not say. */
  refreshTokenHardExpiresInSeconds: number | null;
  /** Only with the openid scope. */
  idToken: string | null;
  intuitTid: string | null;
}

// ---------------------------------------------------------------- authorization URL

export interface BuildAuthorizationUrlInput {
  as: oauth.AuthorizationServer;
  clientId: string;
  redirectUri: string;
  state: string;
  /** Space-separated string or a list, e.g. "com.intuit.quickbooks.accounting". */
  scope: string | readonly string[];
  /** S256 challenge; only when the server advertises PKCE (Intuit does not today). */
  codeChallenge?: string | null;
}

/** The URL to send the user's browser to. Intuit wants client_id, response_type=code, scope, redirect_uri, state. */
export function buildAuthorizationUrl(input: BuildAuthorizationUrlInput): URL {
  const endpoint = input.as.authorization_endpoint;
  if (!endpoint) throw new IntuitOAuthError({ code: "unexpected_response", status: null, intuitTid: null, endpoint: "authorize" });
  const url = new URL(endpoint);
  if (!isPermittedEndpoint(url)) {
    throw new IntuitOAuthError({ code: "insecure_request", status: null, intuitTid: null, endpoint: "authorize" });
  }
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", typeof input.scope === "string" ? input.scope : input.scope.join(" "));
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  if (input.codeChallenge) {
    url.searchParams.set("code_challenge", input.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url;
}

// ---------------------------------------------------------------- token endpoint

interface TokenCallInput extends IntuitCallOptions {
  as: oauth.AuthorizationServer;
  client: IntuitClientCredentials;
}

export interface ExchangeAuthorizationCodeInput extends TokenCallInput {
  code: string;
  /** Must equal the redirect_uri of the authorization request. */
  redirectUri: string;
  codeVerifier?: string | null;
}

export interface RefreshAccessTokenInput extends TokenCallInput {
  refreshToken: string;
}

type SendTokenRequest = (options: oauth.TokenEndpointRequestOptions) => Promise<Response>;
type ProcessTokenResponse = (response: Response) => Promise<oauth.TokenEndpointResponse>;

function endpointOf(as: oauth.AuthorizationServer, name: "token_endpoint" | "revocation_endpoint", label: string): URL {
  const value = as[name];
  if (!value) throw new IntuitOAuthError({ code: "unexpected_response", status: null, intuitTid: null, endpoint: label });
  return new URL(value);
}

function requestOptions(input: TokenCallInput, endpoint: URL): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: input.fetch ?? intuitFetch,
    // Only for http://localhost, 127.0.0.1 and *.test (the emulator); oauth4webapi refuses other plain http.
    [oauth.allowInsecureRequests]: allowsInsecureRequests(endpoint),
    headers: { [HARD_EXPIRY_HEADER]: "true" },
    signal: timeoutSignal(input),
  };
}

/** Failures before any response: bad URL scheme (oauth4webapi), timeout, cancellation, network. */
function requestFailure(error: unknown, endpoint: string): IntuitOAuthError {
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.HTTP_REQUEST_FORBIDDEN) {
    return new IntuitOAuthError({ code: "insecure_request", status: null, intuitTid: null, endpoint });
  }
  const failure = classifyTransportFailure(error);
  return new IntuitOAuthError({ code: failure, status: null, intuitTid: null, endpoint, cause: failure === "network" ? error : undefined });
}

async function readOAuthErrorBody(response: Response): Promise<z.infer<typeof oauthErrorResponseSchema> | null> {
  try {
    const text = await response.text();
    const parsed = oauthErrorResponseSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Error code when Intuit gave no usable `error` field: inferred from the status. */
function codeForStatus(status: number): string {
  if (status === 401) return "invalid_client";
  if (status === 400) return "invalid_request";
  if (status >= 500) return "server_error";
  return "unexpected_response";
}

/** Maps a failed response to IntuitOAuthError using Intuit's `error` field when there is one. */
async function responseFailure(response: Response, endpoint: string): Promise<IntuitOAuthError> {
  const intuitTid = readIntuitTid(response.headers);
  if (response.ok) return new IntuitOAuthError({ code: "unexpected_response", status: response.status, intuitTid, endpoint });
  const body = await readOAuthErrorBody(response);
  return new IntuitOAuthError({
    code: body?.error ?? codeForStatus(response.status),
    status: response.status,
    intuitTid,
    endpoint,
    description: body?.error_description ? redactSecrets(body.error_description) : null,
  });
}

function toTokenSet(json: unknown, intuitTid: string | null, status: number): IntuitTokenSet {
  const parsed = tokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new IntuitOAuthError({ code: "unexpected_response", status, intuitTid, endpoint: "token" });
  const body = parsed.data;
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresInSeconds: body.expires_in,
    refreshTokenExpiresInSeconds: body.x_refresh_token_expires_in,
    refreshTokenHardExpiresInSeconds: body.x_refresh_token_hard_expires_in ?? null,
    idToken: body.id_token ?? null,
    intuitTid,
  };
}

async function callTokenEndpoint(
  input: TokenCallInput,
  send: SendTokenRequest,
  process: ProcessTokenResponse,
): Promise<IntuitTokenSet> {
  const endpoint = endpointOf(input.as, "token_endpoint", "token");
  let response: Response;
  try {
    response = await send(requestOptions(input, endpoint));
  } catch (error) {
    throw requestFailure(error, "token");
  }
  const intuitTid = readIntuitTid(response.headers);
  // oauth4webapi consumes the body; a clone keeps it readable for our own error mapping.
  const copy = response.clone();
  let json: oauth.TokenEndpointResponse;
  try {
    json = await process(response);
  } catch (error) {
    if (error instanceof DOMException) throw requestFailure(error, "token");
    throw await responseFailure(copy, "token");
  }
  return toTokenSet(json, intuitTid, response.status);
}

function oauthClient(client: IntuitClientCredentials): oauth.Client {
  return { client_id: client.clientId };
}

/** `Basic base64(id:secret)` exactly as Intuit's own SDKs build it (jsclient, Java, .NET). */
function basicAuthorization(client: IntuitClientCredentials): string {
  const bytes = new TextEncoder().encode(`${client.clientId}:${client.clientSecret}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * HTTP Basic client authentication for oauth4webapi's token requests. Not oauth.ClientSecretBasic: that one
 * form-encodes id and secret first (RFC 6749 §2.3.1) and even turns "-", "_" and "." into %2D, %5F, %2E. Intuit
 * never documents decoding them and its SDKs send the raw values, so neither do we. (Real Intuit credentials are
 * alphanumeric, where both encodings agree; the emulator's "emulator-client-id" is where they differ.)
 */
function intuitClientSecretBasic(client: IntuitClientCredentials): oauth.ClientAuth {
  return (_as, _client, _body, headers) => {
    headers.set("authorization", basicAuthorization(client));
  };
}

/**
 * oauth4webapi only accepts callback parameters that went through validateAuthResponse. The app checks state
 * itself (single-use, server-side) and hands over just the code, so state is skipped here.
 */
function callbackParameters(as: oauth.AuthorizationServer, client: oauth.Client, code: string): URLSearchParams {
  try {
    return oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
  } catch {
    // Only if Intuit ever required an `iss` callback parameter (RFC 9207), which it does not today.
    throw new IntuitOAuthError({ code: "invalid_request", status: null, intuitTid: null, endpoint: "token" });
  }
}

/**
 * Exchanges the callback's code for tokens. Exchange each code once: Intuit answers a second exchange with
 * invalid_grant AND revokes the tokens of the first one (intuit.md §3).
 */
export async function exchangeAuthorizationCode(input: ExchangeAuthorizationCodeInput): Promise<IntuitTokenSet> {
  const client = oauthClient(input.client);
  const auth = intuitClientSecretBasic(input.client);
  const callback = callbackParameters(input.as, client, input.code);
  const verifier = input.codeVerifier ?? oauth.nopkce;
  return callTokenEndpoint(
    input,
    (options) => oauth.authorizationCodeGrantRequest(input.as, client, auth, callback, input.redirectUri, verifier, options),
    (response) => oauth.processAuthorizationCodeResponse(input.as, client, response),
  );
}

/** Refreshes. Intuit may rotate the refresh token: always store the returned one, atomically, before using it. */
export async function refreshAccessToken(input: RefreshAccessTokenInput): Promise<IntuitTokenSet> {
  const client = oauthClient(input.client);
  const auth = intuitClientSecretBasic(input.client);
  return callTokenEndpoint(
    input,
    (options) => oauth.refreshTokenGrantRequest(input.as, client, auth, input.refreshToken, options),
    (response) => oauth.processRefreshTokenResponse(input.as, client, response),
  );
}

// ---------------------------------------------------------------- revoke

export interface RevokeTokenInput extends TokenCallInput {
  /** A refresh or access token; Intuit revokes the whole grant either way. */
  token: string;
}

/**
 * Revokes a grant. A plain fetch, because oauth4webapi's revocationRequest sends a form body and Intuit documents
 * a JSON body `{"token":…}` with Basic auth (jsclient revoke()). Success is a 200 with an EMPTY body, which a JSON
 * parser would choke on, so the body is not read. An already revoked or unknown token gets a bare 400
 * (oauth-jsclient#18, #71), reported as code "invalid_token": callers purge their copy either way.
 */
export async function revokeToken(input: RevokeTokenInput): Promise<{ intuitTid: string | null }> {
  const endpoint = endpointOf(input.as, "revocation_endpoint", "revoke");
  if (!isPermittedEndpoint(endpoint)) {
    throw new IntuitOAuthError({ code: "insecure_request", status: null, intuitTid: null, endpoint: "revoke" });
  }
  let response: Response;
  try {
    response = await (input.fetch ?? intuitFetch)(endpoint.href, {
      method: "POST",
      headers: {
        authorization: basicAuthorization(input.client),
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify({ token: input.token }),
      redirect: "manual",
      signal: timeoutSignal(input),
    });
  } catch (error) {
    throw requestFailure(error, "revoke");
  }
  const intuitTid = readIntuitTid(response.headers);
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel();
    return { intuitTid };
  }
  const failure = await responseFailure(response, "revoke");
  if (failure.code === "invalid_request" && response.status === 400) {
    throw new IntuitOAuthError({ code: "invalid_token", status: 400, intuitTid, endpoint: "revoke" });
  }
  throw failure;
}
