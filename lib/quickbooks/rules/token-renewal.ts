import { AppError } from "@/lib/errors";
import type { IntuitOAuthError } from "@/lib/intuit/oauth";
import { reauthorizationRequired } from "../errors";
import { oauthFailureCode } from "./intuit-failures";

// The token lifecycle's decisions, apart from its I/O (lib/quickbooks/client/access-token.ts), so that every case
// is a unit test.

/** Renew when less than this is left of the access token. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export function hasTimeLeft(row: { accessTokenExpiresAt: Date | null }, now: Date): boolean {
  return !!row.accessTokenExpiresAt && row.accessTokenExpiresAt.getTime() - now.getTime() > REFRESH_MARGIN_MS;
}

export interface RenewalRequest {
  /** Renew even if the stored token still has time left ("Renew token", or a 401 from QuickBooks). */
  force: boolean;
  /** With force after a 401: the sealed token QuickBooks refused. */
  refusedToken?: string;
  /** A scheduled renewal's own rule, asked again on the row read under the lock; undefined for everyone else. */
  stillDue?: boolean;
}

/**
 * Asked on the row re-read under the connection's lock: renew, or keep the stored token because someone renewed
 * it while this caller waited for the lock. A token about to expire is always renewed.
 */
export function decideRenewal(
  row: { accessTokenExpiresAt: Date | null; accessTokenEnc: string | null },
  now: Date,
  request: RenewalRequest,
): "renew" | "keep" {
  if (!hasTimeLeft(row, now)) return "renew";
  // A scheduled renewal that another instance's sweep has already done.
  if (request.stillDue === false) return "keep";
  // Another caller renewed while this one waited for the lock.
  if (!request.force) return "keep";
  // After a 401: the refused token has been replaced since, so the new one is worth a try first.
  if (request.refusedToken && row.accessTokenEnc !== request.refusedToken) return "keep";
  return "renew";
}

/**
 * What a refused renewal means. `reauthorize`: Intuit no longer honours the grant, only a new consent helps.
 * `record_error`: the app's credentials are wrong; the connection keeps its grant but shows the error. `unchanged`:
 * Intuit was busy or unreachable; the stored tokens are still good, try later.
 */
export interface RefreshFailure {
  code: string;
  connection: "reauthorize" | "record_error" | "unchanged";
  error: AppError;
}

export function classifyRefreshFailure(failure: IntuitOAuthError): RefreshFailure {
  const code = oauthFailureCode(failure);
  if (code === "invalid_grant") return { code, connection: "reauthorize", error: reauthorizationRequired() };
  if (code === "invalid_client") {
    return {
      code,
      connection: "record_error",
      error: new AppError("invalid_client", 502, "Intuit refused the app's client id or secret while renewing the token. An admin should check the Intuit credentials."),
    };
  }
  return {
    code,
    connection: "unchanged",
    error: new AppError("intuit_unavailable", 503, "Intuit could not renew the token right now; the stored tokens are unchanged. Try again in a few minutes."),
  };
}
