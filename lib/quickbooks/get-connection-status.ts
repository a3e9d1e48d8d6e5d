import "server-only";
import { db } from "@/db";
import { env } from "@/lib/env";
import { connectionFacts, findConnection } from "./connections";
import { intuitAppFor } from "./intuit-app";
import { computeChecklist, type ChecklistItem } from "./readiness";
import { latestRevocation } from "./disconnect";
import { deriveIndicator, deriveSteps, hardExpiryWarning, type IndicatorColor, type Step } from "./steps";

/** What the console and `GET /api/quickbooks/status` show: never a token, never a secret. */
export interface ConnectionStatusView {
  connection: {
    environment: "sandbox" | "production";
    status: string;
    realmId: string | null;
    companyName: string | null;
    connectedAt: string | null;
    verifiedAt: string | null;
    accessTokenExpiresAt: string | null;
    refreshTokenExpiresAt: string | null;
    refreshTokenHardExpiresAt: string | null;
    lastError: { step: string | null; code: string | null; message: string | null; at: string | null } | null;
  } | null;
  steps: Step[];
  /** Things to act on soon that are not failures yet (Intuit's five-year cap). */
  warnings: string[];
  /** The latest revocation at Intuit after a disconnect, when there was one. */
  revocation: { status: "pending" | "revoked" | "failed"; message: string | null; at: string | null; attempts: number } | null;
  checklist: ChecklistItem[];
  indicator: IndicatorColor;
  reasons: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function getConnectionStatus(tenantId: string, now = new Date()): Promise<ConnectionStatusView> {
  const app = await intuitAppFor(tenantId);
  const row = await findConnection(db(), tenantId, app.environment);
  const facts = row ? connectionFacts(row) : null;
  const { indicator, reasons } = deriveIndicator(facts, now);
  const revocation = await latestRevocation(tenantId);
  return {
    connection: row && {
      environment: row.environment,
      status: row.status,
      realmId: row.realmId,
      companyName: row.companyName,
      connectedAt: iso(row.connectedAt),
      verifiedAt: iso(row.verifiedAt),
      accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
      refreshTokenExpiresAt: iso(row.refreshTokenExpiresAt),
      refreshTokenHardExpiresAt: iso(row.refreshTokenHardExpiresAt),
      lastError: row.lastErrorAt
        ? { step: row.lastErrorStep, code: row.lastErrorCode, message: row.lastErrorMessage, at: iso(row.lastErrorAt) }
        : null,
    },
    steps: deriveSteps(facts),
    warnings: [hardExpiryWarning(facts, now)].filter((w): w is string => w !== null),
    revocation: revocation && { ...revocation, at: iso(revocation.at) },
    checklist: computeChecklist({
      config: {
        clientIdSet: app.clientId.length > 0,
        clientSecretSet: app.clientSecret.length > 0,
        redirectUri: app.redirectUri,
        expectedRedirectUri: `${env().appUrl}/api/quickbooks/callback`,
        requireHttps: app.environment === "production",
      },
      connection: facts,
      indicator,
      now,
    }),
    indicator,
    reasons,
  };
}
