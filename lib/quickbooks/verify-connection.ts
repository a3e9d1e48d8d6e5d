import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { APP_VERSION } from "@/lib/app-version";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { getCompanyInfo } from "@/lib/intuit/api-client";
import { IntuitApiError } from "@/lib/intuit/faults";
import { notConnected, reauthorizationRequired } from "./client/access-token";
import { canTransition } from "./rules/connection-state";
import { findConnection, lockConnection, recordConnectionError } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";
import { callQuickBooks } from "./client/qbo-client";
import { describeApiError } from "./client/intuit-errors";
import { verifyEvidenceOf } from "./rules/verify-evidence";

export interface VerifyConnectionOptions {
  tenantId: string;
  actorUserId: string | null;
  /** Set when an API key (scope verify:trigger) asked: its audit rows name the key. */
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
  /** A scheduled re-verify (lib/jobs/reverify-sweep.ts), not a person or an API call: see getUsableAccessToken. */
  background?: boolean;
}

export interface VerifiedConnection {
  companyName: string;
  realmId: string;
  verifiedAt: string;
  intuitTid: string | null;
}

/**
 * Steps 3 and 4, Verify and Connect: a CompanyInfo call proves the tokens work; only then is the profile flagged
 * active. A failure is written on the connection (the Verify step shows it) before it is raised.
 */
export async function verifyConnection({ tenantId, actorUserId, actorApiKeyId, meta, background }: VerifyConnectionOptions): Promise<VerifiedConnection> {
  const app = await intuitAppFor(tenantId);
  const connection = await findConnection(db(), tenantId, app.environment);
  if (!connection || !connection.realmId || !connection.accessTokenEnc) throw notConnected();
  if (connection.status === "disconnected") throw notConnected();
  if (connection.status === "reauthorization_required") throw reauthorizationRequired();
  const realmId = connection.realmId;

  let result: Awaited<ReturnType<typeof getCompanyInfo>>;
  try {
    result = await callCompanyInfo(tenantId, actorUserId, background ?? false);
  } catch (error) {
    if (!(error instanceof IntuitApiError)) throw error;
    const message = describeApiError(error);
    await db().transaction(async (tx) => {
      await recordConnectionError(tx, connection, { step: "verify", code: error.code ?? error.kind, message, at: new Date() });
      await recordAudit(tx, {
        tenantId,
        actorUserId,
        actorApiKeyId,
        action: "connection.verify_failed",
        target: `quickbooks:${app.environment}:${connection.realmId}`,
        outcome: "failure",
        details: { kind: error.kind, code: error.code ?? null, intuitTid: error.intuitTid },
        meta,
      });
    });
    throw new AppError("verify_failed", 502, message, { cause: error });
  }

  const verifiedAt = new Date();
  await db().transaction(async (tx) => {
    const row = await lockConnection(tx, tenantId, app.environment);
    if (!row || row.realmId !== connection.realmId) throw new AppError("connection_changed", 409, "The connection changed while it was being verified. Try again.");
    const activating = row.status !== "active";
    if (activating && !(canTransition(row.status, "verified") && canTransition("verified", "active"))) {
      throw reauthorizationRequired();
    }
    await tx
      .update(quickbooksConnections)
      .set({
        status: "active",
        companyName: result.companyInfo.companyName,
        verifiedAt,
        verifyIntuitTid: result.intuitTid,
        // The company verify file's evidence: CompanyInfo fields and facts about the call, never a token.
        verifyEvidence: verifyEvidenceOf({
          companyInfo: result.companyInfo,
          realmId,
          environment: app.environment,
          verifiedAt,
          intuitTid: result.intuitTid,
          appVersion: APP_VERSION,
        }),
        connectedAt: activating ? verifiedAt : row.connectedAt,
        connectedByUserId: activating ? actorUserId : row.connectedByUserId,
        lastErrorStep: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
        updatedAt: verifiedAt,
      })
      .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
    const target = `quickbooks:${app.environment}:${row.realmId}`;
    await recordAudit(tx, {
      tenantId,
      actorUserId,
      actorApiKeyId,
      action: "connection.verified",
      target,
      outcome: "success",
      details: { companyName: result.companyInfo.companyName, intuitTid: result.intuitTid },
      meta,
    });
    if (activating) {
      await recordAudit(tx, { tenantId, actorUserId, actorApiKeyId, action: "connection.activated", target, outcome: "success", meta });
    }
  });

  return {
    companyName: result.companyInfo.companyName,
    realmId: connection.realmId,
    verifiedAt: verifiedAt.toISOString(),
    intuitTid: result.intuitTid,
  };
}

/** CompanyInfo through the API client: a usable token (one renewal and retry on a 401), the realm's limits, retries. */
function callCompanyInfo(tenantId: string, actorUserId: string | null, background: boolean) {
  return callQuickBooks({ tenantId, actorUserId, background }, "companyinfo", getCompanyInfo);
}
