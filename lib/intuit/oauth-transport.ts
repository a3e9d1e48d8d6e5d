// What Intuit's OAuth endpoints share (token and revoke): the endpoint from the discovery document, HTTP Basic client
// authentication as Intuit's SDKs build it, and one mapping of failures to IntuitOAuthError, whose message carries
// no token, code or secret.

import * as oauth from "oauth4webapi";
import { z } from "zod";
import { classifyTransportFailure, readIntuitTid, redactSecrets } from "./http";
import { IntuitOAuthError } from "./oauth-error";
import { oauthErrorResponseSchema } from "./schemas";

export interface IntuitClientCredentials {
  clientId: string;
  clientSecret: string;
}

export function endpointOf(as: oauth.AuthorizationServer, name: "token_endpoint" | "revocation_endpoint", label: string): URL {
  const value = as[name];
  if (!value) throw new IntuitOAuthError({ code: "unexpected_response", status: null, intuitTid: null, endpoint: label });
  return new URL(value);
}

/** Failures before any response: bad URL scheme (oauth4webapi), timeout, cancellation, network. */
export function requestFailure(error: unknown, endpoint: string): IntuitOAuthError {
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
export async function responseFailure(response: Response, endpoint: string): Promise<IntuitOAuthError> {
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

/** `Basic base64(id:secret)` exactly as Intuit's own SDKs build it (jsclient, Java, .NET). */
export function basicAuthorization(client: IntuitClientCredentials): string {
  const bytes = new TextEncoder().encode(`${client.clientId}:${client.clientSecret}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
