import type { ConnectionStatus } from "@/db/schema";

/**
 * The four steps of the connect path and the sync indicator, derived from the connection row: never stored twice,
 * so they cannot disagree with the facts.
 */

export const STEP_NAMES = ["Auth", "Callback", "Verify", "Connect"] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepState = "not_started" | "in_progress" | "done" | "failed";

export interface Step {
  name: StepName;
  state: StepState;
  at: string | null;
  /** What went wrong, for a failed step. */
  reason: string | null;
  /** What to do next, when there is something to do. */
  action: string | null;
}

export interface ConnectionFacts {
  status: ConnectionStatus;
  realmId: string | null;
  hasAccessToken: boolean;
  hasRefreshToken: boolean;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  refreshTokenHardExpiresAt: Date | null;
  authorizationStartedAt: Date | null;
  callbackAt: Date | null;
  verifiedAt: Date | null;
  /** The last successful API call with the connection's tokens: proof, like a Verify, that they open the company. */
  provenAt?: Date | null;
  connectedAt: Date | null;
  lastRefreshedAt: Date | null;
  lastErrorStep: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const step = (name: StepName, state: StepState, at: Date | null = null, reason: string | null = null, action: string | null = null): Step => ({
  name,
  state,
  at: iso(at),
  reason,
  action,
});

const RECONNECT = "Click “Connect to QuickBooks” to authorize again.";

/** The error recorded against one step, if it is newer than that step's last success. */
function unresolvedError(c: ConnectionFacts, stepName: "callback" | "verify", lastSuccess: Date | null): string | null {
  if (c.lastErrorStep !== stepName || !c.lastErrorAt) return null;
  if (lastSuccess && lastSuccess.getTime() >= c.lastErrorAt.getTime()) return null;
  return c.lastErrorMessage ?? "The step failed.";
}

export function deriveSteps(c: ConnectionFacts | null): Step[] {
  if (!c) return STEP_NAMES.map((name) => step(name, "not_started"));

  const auth = c.authorizationStartedAt ? step("Auth", "done", c.authorizationStartedAt) : step("Auth", "not_started");

  const callbackError = unresolvedError(c, "callback", c.callbackAt);
  const callback = callbackError
    ? step("Callback", "failed", c.lastErrorAt, callbackError, RECONNECT)
    : c.callbackAt
      ? step("Callback", "done", c.callbackAt)
      : c.authorizationStartedAt
        ? step("Callback", "in_progress", null, null, "Finish the consent at Intuit, or start again.")
        : step("Callback", "not_started");

  const verifyError = unresolvedError(c, "verify", c.verifiedAt);
  const verify = verifyError
    ? step("Verify", "failed", c.lastErrorAt, verifyError, "Click “Verify connection” to try again; if it keeps failing, reconnect.")
    : c.verifiedAt
      ? step("Verify", "done", c.verifiedAt)
      : step("Verify", "not_started");

  let connect: Step;
  switch (c.status) {
    case "active":
      connect = step("Connect", "done", c.connectedAt);
      break;
    case "reauthorization_required":
      connect = step("Connect", "failed", c.lastErrorAt, c.lastErrorMessage ?? "QuickBooks no longer accepts this app's authorization.", RECONNECT);
      break;
    case "disconnected":
      connect = step("Connect", "not_started", null, "The connection was disconnected.", RECONNECT);
      break;
    default:
      connect = step("Connect", "not_started");
  }
  return [auth, callback, verify, connect];
}

export type IndicatorColor = "green" | "red";

/** Green only when connected, verified, holding renewable tokens, and no failure is left unresolved. */
export function deriveIndicator(c: ConnectionFacts | null, now: Date): { indicator: IndicatorColor; reasons: string[] } {
  if (!c || c.status === "not_connected" || c.status === "authorizing") {
    return { indicator: "red", reasons: ["QuickBooks is not connected yet. Click “Connect to QuickBooks” to start."] };
  }
  const reasons: string[] = [];
  if (c.status === "disconnected") reasons.push("The QuickBooks connection was disconnected. Reconnect to sync again.");
  if (c.status === "reauthorization_required") reasons.push("Reauthorization required: QuickBooks no longer accepts this app's tokens. Reconnect.");
  if (c.status === "callback_received") reasons.push("The connection has not been verified yet. Click “Verify connection”.");
  if (c.status === "active") {
    if (!c.verifiedAt) reasons.push("The connection has never been verified. Click “Verify connection”.");
    if (!c.hasAccessToken || !c.hasRefreshToken) reasons.push("No tokens are stored. Reconnect to QuickBooks.");
    if (c.refreshTokenExpiresAt && c.refreshTokenExpiresAt.getTime() <= now.getTime()) {
      reasons.push("The refresh token has expired. Reconnect to QuickBooks.");
    }
    if (c.lastErrorAt && c.verifiedAt && c.lastErrorAt > c.verifiedAt && c.lastErrorMessage) {
      reasons.push(`Unresolved error: ${c.lastErrorMessage}`);
    }
  }
  return { indicator: reasons.length === 0 ? "green" : "red", reasons };
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const HARD_EXPIRY_WARNING_DAYS = 30;

/**
 * Intuit's five-year cap on a grant cannot be refreshed away: 30 days before it, say so and offer the reconnect.
 * Null when there is nothing to warn about.
 */
export function hardExpiryWarning(c: ConnectionFacts | null, now: Date): string | null {
  if (!c?.refreshTokenHardExpiresAt || !c.hasRefreshToken) return null;
  const daysLeft = Math.ceil((c.refreshTokenHardExpiresAt.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft > HARD_EXPIRY_WARNING_DAYS) return null;
  const when = c.refreshTokenHardExpiresAt.toISOString().slice(0, 10);
  return daysLeft <= 0
    ? `Intuit's five-year limit on this authorization was reached on ${when}. Reconnect to QuickBooks to keep syncing.`
    : `Intuit's five-year limit on this authorization ends on ${when} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}). Reconnect to QuickBooks before then to keep syncing.`;
}
