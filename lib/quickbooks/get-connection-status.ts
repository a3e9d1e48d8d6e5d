import "server-only";
import { env } from "@/lib/env";
import { inspectAccessTokenSeal } from "./client/access-token-seal";
import { connectionFacts } from "./store/connections";
import { checkDiscovery } from "./client/discovery-check";
import { intuitAppOf } from "./client/intuit-app";
import { readStatusFacts } from "./store/read-status-facts";
import { allowedActions, type ConnectionAction } from "./rules/connection-state";
import { computeReadiness, type ChecklistItem, type ReadinessInput } from "./rules/readiness";
import { deriveSteps, hardExpiryWarning, type IndicatorColor, type Step } from "./rules/steps";
import { governorWarning } from "@/lib/usage/rules/governor";

/** What the console, the readiness page and `GET /api/quickbooks/status` show: never a token, never a secret. */
export interface ConnectionStatusView {
  connection: {
    environment: "sandbox" | "production";
    status: string;
    realmId: string | null;
    /** The company a callback named that QuickBooks has not confirmed yet (Verify confirms it). */
    pendingRealmId: string | null;
    companyName: string | null;
    connectedAt: string | null;
    verifiedAt: string | null;
    lastRefreshedAt: string | null;
    accessTokenExpiresAt: string | null;
    refreshTokenExpiresAt: string | null;
    refreshTokenHardExpiresAt: string | null;
    lastError: { step: string | null; code: string | null; message: string | null; at: string | null } | null;
  } | null;
  app: { environment: "sandbox" | "production"; credentialsSource: "tenant" | "platform" | "none"; redirectUri: string; expectedRedirectUri: string };
  steps: Step[];
  /** Webhook delivery delays over the last 24 hours (event time to receipt). */
  webhooks: { events24h: number; delayP50Ms: number | null; delayP95Ms: number | null; deadLetters: number; signatureFailures24h: number };
  /** Things to act on soon that are not failures yet (Intuit's five-year cap). */
  warnings: string[];
  /** The latest revocation at Intuit after a disconnect, when there was one. */
  revocation: { status: "pending" | "revoked" | "failed"; message: string | null; at: string | null; attempts: number } | null;
  /** What can be done with the connection in its state (the role decides, besides, what this person may do). */
  actions: ConnectionAction[];
  checklist: ChecklistItem[];
  indicator: IndicatorColor;
  reasons: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Gathers the facts readiness is computed from; `forceDiscovery` re-fetches Intuit's document ("Re-run checks"). */
export async function getConnectionStatus(tenantId: string, options: { now?: Date; forceDiscovery?: boolean } = {}): Promise<ConnectionStatusView> {
  const now = options.now ?? new Date();
  const stored = await readStatusFacts(tenantId, env().intuit.environment, now);
  const app = intuitAppOf(stored.environment, stored.settings, stored.own);
  const discovery = await checkDiscovery(app.discoveryUrl, { force: options.forceDiscovery });
  const { connection: row, revocation, lastCallback, lastRefresh, webhooks, webhookDelays, reconciliation, readsBlockedUntil } = stored;
  const facts = row ? connectionFacts(row) : null;
  const input: ReadinessInput = {
    now,
    app: {
      environment: app.environment,
      credentialsSource: app.credentialsSource,
      clientIdSet: app.clientId !== "",
      clientSecretSet: app.clientSecret !== "",
      redirectUri: app.redirectUri,
      expectedRedirectUri: app.expectedRedirectUri,
    },
    discovery,
    connection: facts,
    accessTokenSeal: row ? inspectAccessTokenSeal(row) : null,
    lastCallback,
    lastRefresh,
    webhooks,
    apiErrors: null,
    reconciliation,
    readsBlockedUntil,
  };
  const readiness = computeReadiness(input);

  return {
    connection: row && {
      environment: row.environment,
      status: row.status,
      realmId: row.realmId,
      pendingRealmId: row.pendingRealmId,
      companyName: row.companyName,
      connectedAt: iso(row.connectedAt),
      verifiedAt: iso(row.verifiedAt),
      lastRefreshedAt: iso(row.lastRefreshedAt),
      accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
      refreshTokenExpiresAt: iso(row.refreshTokenExpiresAt),
      refreshTokenHardExpiresAt: iso(row.refreshTokenHardExpiresAt),
      lastError: row.lastErrorAt ? { step: row.lastErrorStep, code: row.lastErrorCode, message: row.lastErrorMessage, at: iso(row.lastErrorAt) } : null,
    },
    app: { environment: app.environment, credentialsSource: app.credentialsSource, redirectUri: app.redirectUri, expectedRedirectUri: app.expectedRedirectUri },
    steps: deriveSteps(facts),
    webhooks: {
      events24h: webhookDelays.events,
      delayP50Ms: webhookDelays.p50Ms,
      delayP95Ms: webhookDelays.p95Ms,
      deadLetters: webhooks.deadLetters,
      signatureFailures24h: webhooks.signatureFailures,
    },
    // A governor that slows the app's background reads says so, with the numbers (nothing is slowed silently).
    warnings: [hardExpiryWarning(facts, now), stored.governor && governorWarning(stored.governor)].filter((w): w is string => !!w),
    revocation: revocation && { ...revocation, at: iso(revocation.at) },
    actions: allowedActions({ status: row?.status ?? null, realmId: row?.realmId ?? null, revocationFailed: revocation?.status === "failed" }),
    ...readiness,
  };
}
