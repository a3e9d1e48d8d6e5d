import type { IndicatorColor } from "./steps";
import type { ConnectionFacts } from "./steps";

/** The readiness checklist's five items, with exactly the labels of the contract and the seed. */
export const CHECKLIST_LABELS = [
  "OAuth configuration is set",
  "Callback redirect is validated",
  "Access token is stored",
  "Refresh token is verified",
  "Sync indicator is green",
] as const;

export interface ChecklistItem {
  name: (typeof CHECKLIST_LABELS)[number];
  passed: boolean;
  evidence: string;
}

export interface ReadinessInput {
  config: { clientIdSet: boolean; clientSecretSet: boolean; redirectUri: string; expectedRedirectUri: string; requireHttps: boolean };
  connection: ConnectionFacts | null;
  indicator: IndicatorColor;
  now: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Computes the checklist from facts only; pure, so each cause of each item is unit-tested. */
export function computeChecklist({ config, connection: c, indicator, now }: ReadinessInput): ChecklistItem[] {
  const redirect = safeUrl(config.redirectUri);
  const configProblems = [
    !config.clientIdSet && "no client id",
    !config.clientSecretSet && "no client secret",
    !redirect && "the redirect URI is not an absolute URL",
    redirect && config.requireHttps && redirect.protocol !== "https:" && "the redirect URI must use HTTPS in production",
  ].filter((p): p is string => typeof p === "string");

  const redirectMatches = config.redirectUri === config.expectedRedirectUri;
  const callbackOk = !!c?.callbackAt && !(c.lastErrorStep === "callback" && c.lastErrorAt && c.lastErrorAt > c.callbackAt);

  const accessUsable =
    !!c?.hasAccessToken && (!!c.accessTokenExpiresAt && c.accessTokenExpiresAt > now ? true : c.hasRefreshToken);
  const refreshDaysLeft = c?.refreshTokenExpiresAt ? Math.floor((c.refreshTokenExpiresAt.getTime() - now.getTime()) / DAY_MS) : null;

  return [
    {
      name: "OAuth configuration is set",
      passed: configProblems.length === 0,
      evidence: configProblems.length === 0 ? `Client id and secret are set; redirect URI ${config.redirectUri}.` : `Missing: ${configProblems.join(", ")}.`,
    },
    {
      name: "Callback redirect is validated",
      passed: redirectMatches && callbackOk,
      evidence: !redirectMatches
        ? `The redirect URI ${config.redirectUri} does not match this app's callback route ${config.expectedRedirectUri}.`
        : callbackOk
          ? `The last callback through ${config.redirectUri} succeeded at ${c!.callbackAt!.toISOString()}.`
          : "No successful callback yet through the configured redirect URI.",
    },
    {
      name: "Access token is stored",
      passed: accessUsable,
      evidence: !c?.hasAccessToken
        ? "No access token is stored."
        : accessUsable
          ? `An encrypted access token is stored (expires ${c.accessTokenExpiresAt?.toISOString() ?? "unknown"}; renewable).`
          : "The stored access token has expired and cannot be renewed.",
    },
    {
      name: "Refresh token is verified",
      passed: !!c?.hasRefreshToken && refreshDaysLeft !== null && refreshDaysLeft > 7 && c.status !== "reauthorization_required",
      evidence: !c?.hasRefreshToken
        ? "No refresh token is stored."
        : c.status === "reauthorization_required"
          ? "Intuit refused the refresh token; reconnect."
          : `The refresh token expires in ${refreshDaysLeft} days.`,
    },
    {
      name: "Sync indicator is green",
      passed: indicator === "green",
      evidence: indicator === "green" ? "Connected, verified, with renewable tokens." : "The sync indicator is red; see its reasons.",
    },
  ];
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
