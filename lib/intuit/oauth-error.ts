// The one error type of Intuit's OAuth endpoints (discovery, token, revoke).
// Its message is built here from fixed words only: never a token, a code or a secret. oauth4webapi's own errors
// are not kept as `cause`, because they can hold the response body (with tokens) for inspection.

export type IntuitOAuthErrorCode =
  | "invalid_grant"
  | "invalid_client"
  | "invalid_request"
  | "invalid_token"
  | "access_denied"
  | "server_error"
  | "network"
  | "timeout"
  | "aborted"
  | "insecure_request"
  | "unexpected_response"
  // Whatever else Intuit puts in `error` (e.g. "unsupported_grant_type") is passed through.
  | (string & {});

export interface IntuitOAuthErrorInit {
  code: IntuitOAuthErrorCode;
  status: number | null;
  intuitTid: string | null;
  /** Which call failed, for the message: "token", "revoke", "discovery". */
  endpoint: string;
  /** Intuit's error_description, already redacted. */
  description?: string | null;
  cause?: unknown;
}

function describe(init: IntuitOAuthErrorInit): string {
  const where = `Intuit ${init.endpoint} request`;
  switch (init.code) {
    case "timeout":
      return `${where} timed out`;
    case "aborted":
      return `${where} was cancelled`;
    case "network":
      return `${where} could not reach Intuit`;
    case "insecure_request":
      return `${where} refused: the endpoint is not https`;
    default: {
      const status = init.status === null ? "" : ` (HTTP ${init.status})`;
      return `${where} failed: ${init.code}${status}`;
    }
  }
}

export class IntuitOAuthError extends Error {
  override readonly name = "IntuitOAuthError";
  readonly code: IntuitOAuthErrorCode;
  readonly status: number | null;
  readonly intuitTid: string | null;
  readonly endpoint: string;
  readonly description: string | null;

  constructor(init: IntuitOAuthErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.intuitTid = init.intuitTid;
    this.endpoint = init.endpoint;
    this.description = init.description ?? null;
  }

  /**
   * Worth retrying later (Intuit or the network had a problem, or Intuit asked us to slow down with a 429), as
   * opposed to a rejected grant or client.
   */
  get retryable(): boolean {
    return ["timeout", "network", "server_error"].includes(this.code) || this.status === 429 || (this.status ?? 0) >= 500;
  }
}
