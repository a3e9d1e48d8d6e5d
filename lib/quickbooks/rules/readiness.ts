import type { IntuitEnvironment } from "@/lib/env";
import { readsBlockedReason } from "./intuit-failures";
import { deriveIndicator, type ConnectionFacts, type IndicatorColor } from "./steps";

/**
 * Tenant readiness, as one pure function: the five checks of the seed's checklist (each with pass/fail, the evidence
 * and the action), and the sync indicator with its reasons. Everything is computed from facts passed in, so every
 * cause of every check is unit-tested; the loader (get-connection-status.ts) gathers the facts.
 */

export const CHECKLIST_LABELS = [
  "OAuth configuration is set",
  "Callback redirect is validated",
  "Access token is stored",
  "Refresh token is verified",
  "Sync indicator is green",
] as const;
export type CheckName = (typeof CHECKLIST_LABELS)[number];

export interface ChecklistItem {
  name: CheckName;
  passed: boolean;
  /** One sentence: what was seen. */
  evidence: string;
  /** What was checked, when, and the value seen. */
  detail: { checked: string; at: string | null; value: string };
  /** What to do when it fails. */
  action: string | null;
}

export interface Readiness {
  checklist: ChecklistItem[];
  indicator: IndicatorColor;
  reasons: string[];
}

export interface ReadinessInput {
  now: Date;
  app: {
    environment: IntuitEnvironment;
    credentialsSource: "tenant" | "platform" | "none";
    clientIdSet: boolean;
    clientSecretSet: boolean;
    redirectUri: string;
    expectedRedirectUri: string;
  };
  /** The last fetch of Intuit's discovery document; null when it has not been fetched yet. */
  discovery: { url: string; ok: boolean; checkedAt: Date; error: string | null } | null;
  connection: ConnectionFacts | null;
  /** Whether the stored access token opens with the current key; null when none is stored. */
  accessTokenSeal: "current_key" | "previous_key" | "unreadable" | null;
  lastCallback: { outcome: "success" | "failure"; errorCode: string | null; message: string; at: Date } | null;
  lastRefresh: { outcome: "success" | "failure" | "skipped"; errorCode: string | null; message: string; at: Date } | null;
  /** Webhook delivery health over the last 24 hours, once webhooks are received. */
  webhooks: { signatureFailures: number; deadLetters: number } | null;
  /** Failed QuickBooks API calls in the last hour, once calls are recorded. */
  apiErrors: { recentFailures: number } | null;
  /**
   * The latest reconciliation of the connection's environment: its period and the accounts ("1200 Inventory") whose
   * difference nobody has explained; null when the tenant has never reconciled.
   */
  reconciliation: { period: string; unexplained: string[] } | null;
  /**
   * Until when Intuit blocks every read of the Intuit app the tenant calls through (its monthly quota is used up, so
   * nothing syncs until then), from the app's plan; null when reads are not blocked.
   */
  readsBlockedUntil: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A verification older than this no longer counts as "verified recently". */
export const VERIFY_MAX_AGE_DAYS = 7;
/** A successful renewal within this many days proves the refresh token works. */
export const REFRESH_PROOF_MAX_AGE_DAYS = 45;
/** Below this, the refresh token's expiry is no longer "comfortably far". */
export const REFRESH_TOKEN_MIN_DAYS_LEFT = 30;
export const WEBHOOK_SIGNATURE_FAILURE_LIMIT = 3;
export const API_ERROR_RUN_LIMIT = 5;
/** How many accounts with unexplained differences a reason names before it says "and N more". */
export const UNEXPLAINED_ACCOUNTS_NAMED = 10;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY_MS);

function check(name: CheckName, passed: boolean, evidence: string, detail: ChecklistItem["detail"], action: string | null): ChecklistItem {
  return { name, passed, evidence, detail, action: passed ? null : action };
}

function isIpHost(url: URL): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname) || url.hostname.startsWith("[");
}

function oauthConfiguration({ app, discovery }: ReadinessInput): ChecklistItem {
  let redirect: URL | null = null;
  try {
    redirect = new URL(app.redirectUri);
  } catch {
    redirect = null;
  }
  const problems: { problem: string; action: string }[] = [];
  const enterCredentials = "An admin enters the Intuit app's client id and secret in Settings, then restarts the connect flow.";
  if (!app.clientIdSet) problems.push({ problem: `no client id for ${app.environment}`, action: enterCredentials });
  if (!app.clientSecretSet) problems.push({ problem: `no client secret for ${app.environment}`, action: enterCredentials });
  if (!redirect) problems.push({ problem: "the redirect URI is not an absolute URL", action: "Set an absolute redirect URI in Settings." });
  if (redirect && app.environment === "production" && (redirect.protocol !== "https:" || isIpHost(redirect))) {
    problems.push({ problem: "production needs an https redirect URI without an IP address", action: "Serve the app over HTTPS on a host name and update the redirect URI." });
  }
  if (!discovery) {
    problems.push({ problem: "Intuit's discovery document has not been fetched yet", action: "Click “Re-run checks”." });
  } else if (!discovery.ok) {
    problems.push({ problem: `Intuit's discovery document could not be used (${discovery.error ?? "unknown error"})`, action: "Check that Intuit is reachable and INTUIT_DISCOVERY_URL is right, then click “Re-run checks”." });
  }
  const source = app.credentialsSource === "tenant" ? "the tenant's own" : app.credentialsSource === "platform" ? "the platform's" : "no";
  return check(
    "OAuth configuration is set",
    problems.length === 0,
    problems.length === 0
      ? `Client id and secret (${source} Intuit app) are set for ${app.environment}; the discovery document is well-formed; the redirect URI is ${app.redirectUri}.`
      : `Not ready: ${problems.map((p) => p.problem).join("; ")}.`,
    {
      checked: `client credentials for ${app.environment}, discovery document${discovery ? ` ${discovery.url}` : ""}, redirect URI`,
      at: iso(discovery?.checkedAt),
      value: `credentials: ${source}; discovery: ${discovery ? (discovery.ok ? "ok" : "failed") : "not fetched"}; redirect URI: ${app.redirectUri}`,
    },
    problems[0]?.action ?? null,
  );
}

function callbackRedirect({ app, lastCallback }: ReadinessInput): ChecklistItem {
  const matches = app.redirectUri === app.expectedRedirectUri;
  const detail = {
    checked: "the configured redirect URI against this app's callback route, and the most recent callback",
    at: iso(lastCallback?.at),
    value: `redirect URI ${app.redirectUri}; callback route ${app.expectedRedirectUri}; last callback ${lastCallback ? lastCallback.outcome : "none"}`,
  };
  if (!matches) {
    return check(
      "Callback redirect is validated",
      false,
      `The redirect URI ${app.redirectUri} does not match this app's callback route ${app.expectedRedirectUri}: Intuit would send the user elsewhere.`,
      detail,
      `Register ${app.expectedRedirectUri} as the redirect URI in Intuit's developer portal and in Settings, then test the connection.`,
    );
  }
  if (!lastCallback) {
    return check("Callback redirect is validated", false, "No callback has come back through the redirect URI yet.", detail, "Click “Connect to QuickBooks” to complete a callback.");
  }
  return lastCallback.outcome === "success"
    ? check("Callback redirect is validated", true, `The redirect URI matches the callback route, and the last callback succeeded on ${lastCallback.at.toISOString()}.`, detail, null)
    : check(
        "Callback redirect is validated",
        false,
        `The last callback failed (${lastCallback.errorCode ?? "error"}): ${lastCallback.message}`,
        detail,
        "Start the connect flow again; if it fails the same way, check the client id and redirect URI in Intuit's portal.",
      );
}

function accessTokenStored({ connection: c, accessTokenSeal, now }: ReadinessInput): ChecklistItem {
  const expires = c?.accessTokenExpiresAt ?? null;
  const detail = { checked: "the sealed access token and its expiry", at: iso(expires), value: `seal: ${accessTokenSeal ?? "none"}; expires ${iso(expires) ?? "never stored"}` };
  if (!c?.hasAccessToken || accessTokenSeal === null) {
    return check("Access token is stored", false, "No access token is stored.", detail, "Click “Connect to QuickBooks”.");
  }
  if (accessTokenSeal === "unreadable") {
    return check("Access token is stored", false, "The stored access token cannot be decrypted with any configured key.", detail, "Restore the encryption key, or reconnect to QuickBooks.");
  }
  if (accessTokenSeal === "previous_key") {
    return check("Access token is stored", false, "The stored access token is sealed with a previous encryption key.", detail, "Click “Renew token” to re-seal it with the current key.");
  }
  const unexpired = !!expires && expires > now;
  const renewable = c.hasRefreshToken && c.status !== "reauthorization_required" && c.status !== "disconnected";
  return unexpired || renewable
    ? check("Access token is stored", true, `An encrypted access token is stored (expires ${iso(expires)}${unexpired ? "" : "; renewable"}).`, detail, null)
    : check("Access token is stored", false, "The stored access token has expired and cannot be renewed.", detail, "Reconnect to QuickBooks.");
}

function refreshTokenVerified({ connection: c, lastRefresh, now }: ReadinessInput): ChecklistItem {
  const lastSuccess = c?.lastRefreshedAt ?? null;
  const expires = c?.refreshTokenExpiresAt ?? null;
  const daysLeft = expires ? daysBetween(now, expires) : null;
  const detail = {
    checked: "the last successful renewal and the refresh token's expiry",
    at: iso(lastSuccess),
    value: `last renewal ${iso(lastSuccess) ?? "never"}; refresh token expires ${iso(expires) ?? "never stored"}${daysLeft === null ? "" : ` (${daysLeft} days)`}`,
  };
  const fail = (evidence: string, action: string) => check("Refresh token is verified", false, evidence, detail, action);
  if (!c?.hasRefreshToken) return fail("No refresh token is stored.", "Click “Connect to QuickBooks”.");
  if (c.status === "reauthorization_required") return fail("Intuit refused the refresh token: reauthorization is required.", "Reconnect to QuickBooks.");
  if (lastRefresh?.outcome === "failure" && (!lastSuccess || lastRefresh.at > lastSuccess)) {
    return fail(`The last renewal failed (${lastRefresh.errorCode ?? "error"}): ${lastRefresh.message}`, "Click “Renew token” to try again now.");
  }
  const provedForThisGrant = !!lastSuccess && (!c.callbackAt || lastSuccess >= c.callbackAt);
  if (!provedForThisGrant) return fail("The refresh token has not been used since this connection was made.", "Click “Renew token” to prove it works.");
  if (daysBetween(lastSuccess, now) > REFRESH_PROOF_MAX_AGE_DAYS) {
    return fail(`The last successful renewal was ${daysBetween(lastSuccess, now)} days ago.`, "Click “Renew token”; check that the background renewal job runs.");
  }
  if (!expires || expires <= now) return fail(`The refresh token expired on ${iso(expires) ?? "an unknown date"}.`, "Reconnect to QuickBooks.");
  if (daysLeft === null || daysLeft < REFRESH_TOKEN_MIN_DAYS_LEFT) {
    return fail(`The refresh token expires in ${daysLeft ?? 0} days.`, "Click “Renew token” to extend it.");
  }
  return check("Refresh token is verified", true, `Renewed successfully on ${lastSuccess.toISOString()}; the refresh token expires in ${daysLeft} days.`, detail, null);
}

/** The indicator: the connection's own rules, plus recency of Verify and the health of webhooks and API calls. */
function indicatorOf(input: ReadinessInput): { indicator: IndicatorColor; reasons: string[] } {
  const { connection: c, now } = input;
  const base = deriveIndicator(c, now);
  const reasons = [...base.reasons];
  // Nothing is read from QuickBooks for any tenant of the app until the quota month turns: not ready, whatever else holds.
  if (input.readsBlockedUntil && input.readsBlockedUntil > now && input.app.credentialsSource !== "none") {
    reasons.push(readsBlockedReason(input.readsBlockedUntil));
  }
  // A connection that works today but could not be renewed or re-made is not ready either.
  if (!input.app.clientIdSet || !input.app.clientSecretSet) {
    reasons.push(`No Intuit app credentials are set for ${input.app.environment}. An admin enters them in Settings.`);
  }
  if (input.app.redirectUri !== input.app.expectedRedirectUri) {
    reasons.push(`The redirect URI ${input.app.redirectUri} does not match this app's callback route ${input.app.expectedRedirectUri}. Fix it in Settings and at Intuit.`);
  }
  // A successful call of the app proves the connection as a Verify does (the daily re-verify skips a connection in
  // use), so the newer of the two is what "verified recently" goes by.
  const proof = c?.provenAt && c.verifiedAt && c.provenAt > c.verifiedAt ? { at: c.provenAt, what: "call to QuickBooks" } : c?.verifiedAt ? { at: c.verifiedAt, what: "Verify" } : null;
  if (c?.status === "active" && proof && daysBetween(proof.at, now) >= VERIFY_MAX_AGE_DAYS) {
    reasons.push(`The last successful ${proof.what} was ${daysBetween(proof.at, now)} days ago. Click “Verify connection”.`);
  }
  if (input.webhooks && input.webhooks.signatureFailures >= WEBHOOK_SIGNATURE_FAILURE_LIMIT) {
    reasons.push(`${input.webhooks.signatureFailures} webhook deliveries failed the signature check in the last 24 hours. Check the verifier token.`);
  }
  if (input.webhooks && input.webhooks.deadLetters > 0) {
    reasons.push(`${input.webhooks.deadLetters} webhook event(s) could not be processed. Retry them from the logs page.`);
  }
  if (input.apiErrors && input.apiErrors.recentFailures >= API_ERROR_RUN_LIMIT) {
    reasons.push(`${input.apiErrors.recentFailures} QuickBooks API calls failed in the last hour.`);
  }
  const unexplained = input.reconciliation?.unexplained ?? [];
  if (input.reconciliation && unexplained.length > 0) {
    const named = unexplained.slice(0, UNEXPLAINED_ACCOUNTS_NAMED).join(", ");
    const more = unexplained.length > UNEXPLAINED_ACCOUNTS_NAMED ? ` and ${unexplained.length - UNEXPLAINED_ACCOUNTS_NAMED} more` : "";
    reasons.push(
      `Reconciliation ${input.reconciliation.period} has unexplained differences: ${named}${more}. Explain each one on the reconciliation page, or correct the balance and reconcile again.`,
    );
  }
  return { indicator: reasons.length === 0 ? "green" : "red", reasons };
}

export function computeReadiness(input: ReadinessInput): Readiness {
  const { indicator, reasons } = indicatorOf(input);
  const green = check(
    "Sync indicator is green",
    indicator === "green",
    indicator === "green" ? "Connected, verified recently, and no unresolved failure." : `The indicator is red: ${reasons.join(" ")}`,
    { checked: "the sync indicator's rules: the connection, Verify, credentials, Intuit's monthly read quota, webhooks, API errors and the latest reconciliation", at: iso(input.now), value: indicator },
    reasons[0] ?? null,
  );
  return {
    checklist: [oauthConfiguration(input), callbackRedirect(input), accessTokenStored(input), refreshTokenVerified(input), green],
    indicator,
    reasons,
  };
}
