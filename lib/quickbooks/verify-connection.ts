import "server-only";
import { db } from "@/db";
import { APP_VERSION } from "@/lib/app-version";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { IntuitApiError } from "@/lib/intuit/faults";
import { notConnected, reauthorizationRequired } from "./errors";
import { canTransition } from "./rules/connection-state";
import { findConnection, lockConnection, recordConnectionError, transitionConnection } from "./store/connections";
import { intuitAppFor, type IntuitApp } from "./client/intuit-app";
import { callQuickBooks } from "./client/qbo-client";
import { describeApiError } from "./rules/intuit-failures";
import { verifyEvidenceOf } from "./rules/verify-evidence";

export interface VerifyConnectionOptions {
  tenantId: string;
  actorUserId: string | null;
  /** Set when an API key (scope verify:trigger) asked: its audit rows name the key. */
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
  /** A scheduled re-verify (lib/jobs/reverify-sweep.ts), not a person or an API call: see getUsableAccessToken. */
  background?: boolean;
  /** The tenant's Intuit app, when the caller has resolved it already (the callback). */
  app?: IntuitApp;
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
export async function verifyConnection({ tenantId, actorUserId, actorApiKeyId, meta, background, ...options }: VerifyConnectionOptions): Promise<VerifiedConnection> {
  const app = options.app ?? (await intuitAppFor(tenantId));
  const connection = await findConnection(db(), tenantId, app.environment);
  if (!connection || !connection.realmId || !connection.accessTokenEnc) throw notConnected();
  if (connection.status === "disconnected") throw notConnected();
  if (connection.status === "reauthorization_required") throw reauthorizationRequired();
  const realmId = connection.realmId;

  let result: Awaited<ReturnType<typeof getCompanyInfo>>;
  try {
    result = await callQuickBooks({ tenantId, app, actorUserId, background }, "companyinfo", getCompanyInfo);
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
    // Disconnected or refused while CompanyInfo was asked: the answer no longer speaks for this connection.
    if (!canTransition(row.status, "active")) throw reauthorizationRequired();
    const activating = row.status !== "active";
    await transitionConnection(tx, row, "active", "verified", {
      at: verifiedAt,
      actor: { userId: actorUserId, apiKeyId: actorApiKeyId },
      meta,
      changes: {
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
      },
      details: { companyName: result.companyInfo.companyName, intuitTid: result.intuitTid },
    });
  });

  return {
    companyName: result.companyInfo.companyName,
    realmId: connection.realmId,
    verifiedAt: verifiedAt.toISOString(),
    intuitTid: result.intuitTid,
  };
}
