import type { ConnectionStatusView } from "../get-connection-status";

/**
 * The seed's connect guide, live: for each signal, whether it is present now, what to check (with what the check
 * sees), and the action the console offers. Pure: computed from the same status the page shows.
 */
export type GuideAction = "reenter_credentials" | "renew_token" | "revoke_locally" | "validate_and_test";

export interface GuideSignal {
  signal: "OAuth handshake fail" | "Token refresh error" | "QuickBooks disconnect" | "Callback route check";
  present: boolean;
  check: string;
  seen: string;
  action: GuideAction;
  actionLabel: string;
}

const item = (status: ConnectionStatusView, name: string) => status.checklist.find((c) => c.name === name);

export function connectGuide(status: ConnectionStatusView): GuideSignal[] {
  const c = status.connection;
  const oauth = item(status, "OAuth configuration is set");
  const callback = item(status, "Callback redirect is validated");
  const refresh = item(status, "Refresh token is verified");
  const callbackStep = status.steps.find((s) => s.name === "Callback");
  const holdsTokens = c?.status === "active" || c?.status === "callback_received";
  const refreshFailed = c?.lastError?.step === "refresh" || (holdsTokens && refresh?.passed === false);

  return [
    {
      signal: "OAuth handshake fail",
      present: oauth?.passed === false || callbackStep?.state === "failed",
      check: "Verify client ID and secrets",
      seen: callbackStep?.state === "failed" && callbackStep.reason ? `${oauth?.evidence ?? ""} Last callback: ${callbackStep.reason}` : (oauth?.evidence ?? ""),
      action: "reenter_credentials",
      actionLabel: "Re-enter API credentials and restart the flow",
    },
    {
      signal: "Token refresh error",
      present: !!refreshFailed,
      check: "Check token lifetime dates",
      seen: c
        ? `Access token expires ${c.accessTokenExpiresAt ?? "—"}; refresh token expires ${c.refreshTokenExpiresAt ?? "—"}; last renewal ${c.lastRefreshedAt ?? "never"}.${refresh && !refresh.passed ? ` ${refresh.evidence}` : ""}`
        : "No connection, so no tokens.",
      action: "renew_token",
      actionLabel: "Trigger immediate token renewal",
    },
    {
      signal: "QuickBooks disconnect",
      present: c?.status === "reauthorization_required" || c?.status === "disconnected",
      check: "Check connection status indicator",
      seen: `Indicator ${status.indicator}; connection ${c ? c.status.replaceAll("_", " ") : "not connected"}.`,
      action: "revoke_locally",
      actionLabel: "Revoke tokens locally and update the registry",
    },
    {
      signal: "Callback route check",
      present: callback?.passed === false,
      check: "Verify redirect URI configurations",
      seen: callback?.evidence ?? "",
      action: "validate_and_test",
      actionLabel: "Validate the routing match and test the connection",
    },
  ];
}
