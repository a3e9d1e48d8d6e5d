import { IntuitApiError } from "@/lib/intuit/faults";
import { IntuitOAuthError } from "@/lib/intuit/oauth";

/** The words the status and every refused read use for the start of Intuit's monthly read block. */
export const READ_QUOTA_USED_UP = "Intuit's monthly read quota is used up";

/**
 * Why reads stop, when they resume and what to do, for the indicator's reason and a refused read alike (intuit.md §9:
 * past the workspace's monthly CorePlus quota Intuit blocks every read until the next month). `until` is the start
 * of the next quota month when known.
 */
export function readsBlockedReason(until: Date | null, trace = ""): string {
  const when = until ? `until ${until.toISOString().slice(0, 16).replace("T", " ")} UTC, when the quota month turns` : "until the quota month turns";
  return (
    `${READ_QUOTA_USED_UP}${trace}: QuickBooks reads are blocked ${when}. Sync, catch-up and re-verify wait until then; writes, ` +
    "sign-in and the console keep working. To read sooner, upgrade the Intuit app's tier in Intuit's developer portal and enter the new quota on the usage page."
  );
}

/** A plain-language sentence for a failed QuickBooks API call, with Intuit's trace id for support. */
export function describeApiError(error: IntuitApiError): string {
  const trace = error.intuitTid ? ` (Intuit trace id ${error.intuitTid})` : "";
  switch (error.kind) {
    case "authentication":
      return `QuickBooks did not accept the access token${trace}. Renew the token or reconnect.`;
    case "authorization":
      return `QuickBooks refused access to this company${trace}: the app may lack the accounting scope, or sandbox and production are mixed up.`;
    case "throttled":
      return `QuickBooks is limiting requests for this company${trace}. Try again in a minute.`;
    case "quota_exhausted":
      return readsBlockedReason(error.resumesAt, trace);
    case "not_found":
      return `QuickBooks could not find this company${trace}. Reconnect to pick the right company.`;
    case "validation":
      return `QuickBooks rejected the request${trace}: ${error.message}`;
    case "server":
      return `QuickBooks had a server error${trace}. Try again in a few minutes.`;
    case "timeout":
      return `QuickBooks did not answer in time${trace}. Try again in a few minutes.`;
    case "network":
      return `QuickBooks could not be reached${trace}. Try again in a few minutes.`;
    default:
      return `QuickBooks answered in an unexpected way${trace}. Try again; if it persists, contact support with the trace id.`;
  }
}

/** QuickBooks' answer when tokens do not open a company: 401 (not accepted) or 403 (not this company's grant). */
export function refusesCompany(error: IntuitApiError): boolean {
  return error.kind === "authentication" || error.kind === "authorization";
}

/** Turns an OAuth failure into the stable code used in logs and messages. */
export function oauthFailureCode(error: IntuitOAuthError): string {
  if (error.code === "invalid_grant" || error.code === "invalid_client") return error.code;
  // A throttled token call (429) is Intuit being busy, not a refusal of this authorization: try again later.
  if (error.code === "network" || error.code === "timeout" || error.status === 429 || (error.status ?? 0) >= 500) return "intuit_unavailable";
  return "token_exchange_failed";
}

export function isIntuitError(error: unknown): error is IntuitApiError | IntuitOAuthError {
  return error instanceof IntuitApiError || error instanceof IntuitOAuthError;
}
