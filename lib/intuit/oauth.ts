// Intuit OAuth 2.0 for a confidential client: the consent URL (with PKCE when offered), the code exchange and refresh
// (revoke: ./revoke.ts). Token calls use oauth4webapi's request/process pairs with HTTP Basic client authentication
// (raw id:secret, see intuitClientSecretBasic). Every call has a timeout and every failure is an IntuitOAuthError
// whose message carries no token, code or secret.

import * as oauth from "oauth4webapi";
import { intuitFetch } from "../http/server-timing";
import { supportsPkceS256 } from "./discovery";
import { allowsInsecureRequests, isPermittedEndpoint, readIntuitTid, timeoutSignal, type IntuitCallOptions } from "./http";
import { IntuitOAuthError } from "./oauth-error";
import { basicAuthorization, endpointOf, requestFailure, responseFailure, type IntuitClientCredentials } from "./oauth-transport";
import { tokenResponseSchema } from "./schemas";

export { IntuitOAuthError, type IntuitOAuthErrorCode } from "./oauth-error";

/** Asks Intuit to add x_refresh_token_hard_expires_in (the 5-year cap) to token responses (intuit.md §3). */
export const HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in";

export type { IntuitClientCredentials } from "./oauth-transport";

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

/**
 * A PKCE pair (RFC 7636, S256) when the authorization server offers it, else null. Intuit's document offers none
 * today; if it ever does, S256 is used without a code change.
 */
export async function generatePkce(as: oauth.AuthorizationServer): Promise<{ codeVerifier: string; codeChallenge: string } | null> {
  if (!supportsPkceS256(as)) return null;
  const codeVerifier = oauth.generateRandomCodeVerifier();
  return { codeVerifier, codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier) };
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
  /** The callback's `iss` parameter, when the authorization server sent one (RFC 9207). */
  iss?: string | null;
}

export interface RefreshAccessTokenInput extends TokenCallInput {
  refreshToken: string;
}

type SendTokenRequest = (options: oauth.TokenEndpointRequestOptions) => Promise<Response>;
type ProcessTokenResponse = (response: Response) => Promise<oauth.TokenEndpointResponse>;

function requestOptions(input: TokenCallInput, endpoint: URL): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: input.fetch ?? intuitFetch,
    // Only for http://localhost, 127.0.0.1 and *.test (the emulator); oauth4webapi refuses other plain http.
    [oauth.allowInsecureRequests]: allowsInsecureRequests(endpoint),
    headers: { [HARD_EXPIRY_HEADER]: "true" },
    signal: timeoutSignal(input),
  };
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
 * oauth4webapi only accepts callback parameters that went through validateAuthResponse. The app checks state itself
 * (single-use, server-side), so state is skipped here; the `iss` the authorization server sent (RFC 9207) is handed
 * over, so that a server advertising `authorization_response_iss_parameter_supported` is checked as it asks (and a
 * response from another issuer refused) instead of every callback failing for a missing `iss`.
 */
function callbackParameters(as: oauth.AuthorizationServer, client: oauth.Client, code: string, iss: string | null | undefined): URLSearchParams {
  const received = new URLSearchParams({ code });
  if (iss) received.set("iss", iss);
  try {
    return oauth.validateAuthResponse(as, client, received, oauth.skipStateCheck);
  } catch {
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
  const callback = callbackParameters(input.as, client, input.code, input.iss);
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
