// Revoking a grant at Intuit. A plain fetch, not oauth4webapi's revocationRequest: Intuit wants a JSON body there.

import type * as oauth from "oauth4webapi";
import { intuitFetch } from "../http/server-timing";
import { isPermittedEndpoint, readIntuitTid, timeoutSignal, type IntuitCallOptions } from "./http";
import { IntuitOAuthError } from "./oauth-error";
import { basicAuthorization, endpointOf, requestFailure, responseFailure, type IntuitClientCredentials } from "./oauth-transport";

export interface RevokeTokenInput extends IntuitCallOptions {
  as: oauth.AuthorizationServer;
  client: IntuitClientCredentials;
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
