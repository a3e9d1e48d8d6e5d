import { AppError } from "@/lib/errors";
import { IntuitOAuthError } from "@/lib/intuit/oauth";
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
 * Asked on the row read under the connection's lock, in the short transaction that takes the renewal lease (and again
 * after waiting for another renewal's lease): renew, or keep the stored token because someone renewed it meanwhile. A
 * token about to expire is always renewed.
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
  const message = refreshAnswerMayBeLost(failure)
    ? "Intuit did not answer the token renewal in time. It may still have acted on it, so the request was not sent again; the stored tokens are unchanged and the next renewal uses them. Try again in a few minutes."
    : "Intuit could not renew the token right now; the stored tokens are unchanged. Try again in a few minutes.";
  return { code, connection: "unchanged", error: new AppError("intuit_unavailable", 503, message) };
}

// ---------------------------------------------------------------- sending a refresh again (README, "Operations")

/** Failures of the connection itself, raised before a byte of the request was written: Intuit never saw it. */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function neverSent(cause: unknown, depth = 0): boolean {
  if (!(cause instanceof Error) || depth > 3) return false;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string" && NEVER_SENT.has(code)) return true;
  // Node.js tries each address of a host name and reports them together; undici wraps the socket's error.
  if (cause instanceof AggregateError && cause.errors.length > 0) return cause.errors.every((each) => neverSent(each, depth + 1));
  return neverSent(cause.cause, depth + 1);
}

/**
 * True when a refresh request may have reached Intuit and been acted on, but its answer never arrived: our time limit
 * ran out, the connection broke after the request was written, or a gateway gave up waiting on the token service
 * (504). Intuit may then already have rotated the refresh token that was sent.
 */
export function refreshAnswerMayBeLost(failure: IntuitOAuthError): boolean {
  if (failure.status !== null) return failure.status === 504;
  if (failure.code === "timeout") return true;
  return failure.code === "network" && !neverSent(failure.cause);
}

/**
 * Whether a failed refresh may be sent again at once with the same refresh token. Yes when Intuit never saw it
 * (refused connection, unknown host) or answered with an error, which means no tokens were issued: 429 and 500, 502,
 * 503. Never when its answer may be lost: a second request with the same token could reach Intuit after the first
 * rotated it (a rotated token is dead at once in the worst case, intuit.md §3), or race the first one still queued at
 * Intuit, so that the pair stored would not be the newest. The stored pair is then kept and the next renewal uses it.
 */
export function mayResendRefresh(failure: unknown): boolean {
  if (!(failure instanceof IntuitOAuthError)) return false;
  if (failure.status !== null) return failure.status === 429 || failure.status === 500 || failure.status === 502 || failure.status === 503;
  return failure.code === "network" && neverSent(failure.cause);
}

// ---------------------------------------------------------------- settling a renewal (lib/quickbooks/client/access-token.ts)

/**
 * The connection row as the renewal finds it once Intuit has answered, in the short transaction that settles it.
 * Between taking the lease and this moment no connection was held, so the row may have moved on.
 */
export interface SettleFacts {
  /** Still active or awaiting verification, with a refresh token (not disconnected, not sent to reconnect). */
  holdsGrant: boolean;
  /** Its refresh token is the one this renewal sent to Intuit. */
  sameRefreshToken: boolean;
  /** It holds (or claims) the company this renewal renewed for. */
  sameCompany: boolean;
  /** Another renewal has taken this one's lease since (it ran out): that one may hold a newer answer. */
  leaseTakenOver: boolean;
}

/**
 * What to do with the tokens Intuit handed over. `store`: the row still holds the refresh token they replace, so they
 * are the newest pair of its grant, whoever holds the lease now. `drop`: the row holds a newer grant for the same
 * company (a callback stored one) or the same grant renewed by another renewal; revoking ours could end that grant
 * too, so ours is only forgotten. `revoke`: the row let the grant go (disconnected, another company, reconnect asked)
 * and Intuit rotated its refresh token, so the revocation the app queued with the old one may no longer reach it:
 * ours is queued for revocation. Unrotated, the old token still names the grant and whoever let it go revokes it.
 */
export function settleRenewedTokens(facts: SettleFacts, rotated: boolean): "store" | "drop" | "revoke" {
  if (facts.holdsGrant && facts.sameRefreshToken) return "store";
  if (facts.holdsGrant && facts.sameCompany) return "drop";
  return rotated ? "revoke" : "drop";
}

/**
 * What a refusal does to the connection. `apply`: what classifyRefreshFailure says (reconnect, or the credentials
 * error). `retry_with_stored`: Intuit refused the token this renewal sent, but the row holds another one now (a
 * renewal or a callback stored it meanwhile): decide again with that one, once. `log_only`: the row no longer holds the
 * grant, or another renewal has taken the lease and may have the answer that makes ours stale; or Intuit was busy.
 */
export function settleRefusal(facts: SettleFacts, failure: RefreshFailure): "apply" | "retry_with_stored" | "log_only" {
  if (failure.connection === "unchanged" || !facts.holdsGrant) return "log_only";
  if (failure.connection === "record_error") return "apply";
  if (!facts.sameRefreshToken) return "retry_with_stored";
  return facts.leaseTakenOver ? "log_only" : "apply";
}
