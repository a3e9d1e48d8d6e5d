import "server-only";
import { db, type Transaction } from "@/db";
import { violatedUniqueConstraint } from "@/db/constraint-violation";
import { APP_VERSION } from "@/lib/app-version";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { getCompanyInfo, type CompanyInfo } from "@/lib/intuit/company-info";
import { IntuitApiError } from "@/lib/intuit/faults";
import { fiscalYearStartMonthOf } from "@/lib/ledger/rules/period-balances";
import { attemptRevocation } from "./attempt-revocation";
import { sealForRevocation } from "./client/access-token";
import { intuitAppFor, type IntuitApp } from "./client/intuit-app";
import { callQuickBooks } from "./client/qbo-client";
import { notConnected, reauthorizationRequired } from "./errors";
import { canTransition } from "./rules/connection-state";
import { describeApiError, refusesCompany } from "./rules/intuit-failures";
import { callbackMessage } from "./rules/messages";
import { verifyEvidenceOf } from "./rules/verify-evidence";
import { findConnection, lockConnection, recordConnectionError, transitionConnection, type ConnectionRow } from "./store/connections";
import { queueRevocation } from "./store/token-revocations";

export interface VerifyConnectionOptions {
  tenantId: string;
  actorUserId: string | null;
  /** Set when an API key (scope verify:trigger) asked: its audit rows name the key. */
  actorApiKeyId?: string | null;
  meta?: RequestMeta;
  /** A scheduled re-verify (lib/jobs/reverify-sweep.ts), not a person or an API call: see getUsableAccessToken. */
  background?: boolean;
  /** The tenant's Intuit app, when the caller has resolved it already. */
  app?: IntuitApp;
}

export interface VerifiedConnection {
  companyName: string;
  realmId: string;
  verifiedAt: string;
  intuitTid: string | null;
}

/** The realm index: one tenant per QuickBooks company and environment. */
const REALM_INDEX = "quickbooks_connections_realm_uq";

/**
 * Steps 3 and 4, Verify and Connect: a CompanyInfo call proves the tokens open the company; only then does the
 * connection hold it and is the profile flagged active. A connection whose company is still a claim (its callback
 * could not confirm it) is proven here: refused, the claim and its tokens are dropped and the grant revoked. Any
 * other failure is written on the connection (the Verify step shows it) before it is raised.
 */
export async function verifyConnection({ tenantId, actorUserId, actorApiKeyId, meta, background, ...options }: VerifyConnectionOptions): Promise<VerifiedConnection> {
  const app = options.app ?? (await intuitAppFor(tenantId));
  const connection = await findConnection(db(), tenantId, app.environment);
  const realmId = connection?.pendingRealmId ?? connection?.realmId ?? null;
  if (!connection || !realmId || !connection.accessTokenEnc) throw notConnected();
  if (connection.status === "disconnected") throw notConnected();
  if (connection.status === "reauthorization_required") throw reauthorizationRequired();
  const actor = { userId: actorUserId, apiKeyId: actorApiKeyId };

  let result: Awaited<ReturnType<typeof getCompanyInfo>>;
  try {
    result = await callQuickBooks({ tenantId, app, actorUserId, background, cause: background ? "reverify" : "user" }, "companyinfo", getCompanyInfo);
  } catch (error) {
    if (!(error instanceof IntuitApiError)) throw error;
    if (connection.pendingRealmId && refusesCompany(error)) throw await dropClaim(connection, "realm_not_authorized", { actor, meta });
    await db().transaction((tx) => recordVerifyFailure(tx, connection, error, { actor, meta }));
    throw new AppError("verify_failed", 502, describeApiError(error), { cause: error });
  }

  const verifiedAt = new Date();
  try {
    await db().transaction(async (tx) => {
      const row = await lockConnection(tx, tenantId, app.environment);
      if (!row || (row.pendingRealmId ?? row.realmId) !== realmId) throw new AppError("connection_changed", 409, "The connection changed while it was being verified. Try again.");
      // Disconnected or refused while CompanyInfo was asked: the answer no longer speaks for this connection.
      if (!canTransition(row.status, "active")) throw reauthorizationRequired();
      await activateConnection(tx, row, { realmId, companyInfo: result.companyInfo, intuitTid: result.intuitTid, environment: app.environment, at: verifiedAt, actor, meta });
    });
  } catch (error) {
    // Another tenant proved the same company first: this claim loses and its grant is revoked.
    if (violatedUniqueConstraint(error) === REALM_INDEX) throw await dropClaim(connection, "realm_in_use", { actor, meta });
    throw error;
  }

  return { companyName: result.companyInfo.companyName, realmId, verifiedAt: verifiedAt.toISOString(), intuitTid: result.intuitTid };
}

export interface CompanyProof {
  realmId: string;
  companyInfo: CompanyInfo;
  intuitTid: string | null;
  environment: IntuitEnvironment;
  at: Date;
  actor: { userId: string | null; apiKeyId?: string | null };
  meta?: RequestMeta;
}

/**
 * The connection now holds the company CompanyInfo answered for, and is active: the Verify and Connect steps, with
 * the evidence of the company verify file. A unique violation of the realm index means another tenant holds it.
 */
export async function activateConnection(tx: Transaction, row: ConnectionRow, proof: CompanyProof): Promise<ConnectionRow> {
  const activating = row.status !== "active";
  return transitionConnection(tx, row, "active", "verified", {
    at: proof.at,
    actor: proof.actor,
    meta: proof.meta,
    changes: {
      realmId: proof.realmId,
      pendingRealmId: null,
      companyName: proof.companyInfo.companyName,
      verifiedAt: proof.at,
      verifyIntuitTid: proof.intuitTid,
      // Where the company's fiscal year starts: a month-end reconciliation reads income and expense from it, with no
      // CompanyInfo call of its own. Null when QuickBooks did not say (the reconciliation then assumes January).
      fiscalYearStartMonth: fiscalYearStartMonthOf(proof.companyInfo.fiscalYearStartMonth),
      // The company verify file's evidence: CompanyInfo fields and facts about the call, never a token.
      verifyEvidence: verifyEvidenceOf({
        companyInfo: proof.companyInfo,
        realmId: proof.realmId,
        environment: proof.environment,
        verifiedAt: proof.at,
        intuitTid: proof.intuitTid,
        appVersion: APP_VERSION,
      }),
      connectedAt: activating ? proof.at : row.connectedAt,
      connectedByUserId: activating ? proof.actor.userId : row.connectedByUserId,
    },
    details: { companyName: proof.companyInfo.companyName, intuitTid: proof.intuitTid },
  });
}

/** A failed CompanyInfo call on the Verify step, and its audit event. */
export async function recordVerifyFailure(
  tx: Transaction,
  connection: ConnectionRow,
  error: IntuitApiError,
  context: { actor: { userId: string | null; apiKeyId?: string | null }; meta?: RequestMeta; realmId?: string },
): Promise<void> {
  await recordConnectionError(tx, connection, { step: "verify", code: error.code ?? error.kind, message: describeApiError(error), at: new Date() });
  await recordAudit(tx, {
    tenantId: connection.tenantId,
    actorUserId: context.actor.userId,
    actorApiKeyId: context.actor.apiKeyId ?? null,
    action: "connection.verify_failed",
    target: `quickbooks:${connection.environment}:${context.realmId ?? connection.pendingRealmId ?? connection.realmId}`,
    outcome: "failure",
    details: { kind: error.kind, code: error.code ?? null, intuitTid: error.intuitTid },
    meta: context.meta,
  });
}

/**
 * Drops a company that was never proven, with the tokens received for it: the connection holds nothing and the
 * Callback step says why. Tokens refused for the company are revoked at Intuit; tokens for a company another tenant
 * proved first are not (Intuit revokes by company: it would disconnect that tenant). Answers the error to raise.
 */
async function dropClaim(
  claimed: ConnectionRow,
  code: "realm_not_authorized" | "realm_in_use",
  context: { actor: { userId: string | null; apiKeyId?: string | null }; meta?: RequestMeta },
): Promise<AppError> {
  const message = callbackMessage(code);
  const revocationId = await db().transaction(async (tx) => {
    const row = await lockConnection(tx, claimed.tenantId, claimed.environment);
    // Another callback or a disconnect got there first: what it left stands.
    if (!row || row.pendingRealmId !== claimed.pendingRealmId || row.refreshTokenEnc !== claimed.refreshTokenEnc || !row.refreshTokenEnc) return null;
    const id = await queueRevocation(tx, {
      ...sealForRevocation(row.tenantId, { connection: row })!,
      tenantId: row.tenantId,
      environment: row.environment,
      realmId: row.pendingRealmId,
      requestedByUserId: context.actor.userId,
    });
    await transitionConnection(tx, row, "disconnected", "claim_dropped", {
      at: new Date(),
      actor: context.actor,
      meta: context.meta,
      changes: { realmId: null, pendingRealmId: null, accessTokenEnc: null, refreshTokenEnc: null, accessTokenExpiresAt: null, refreshTokenExpiresAt: null, refreshTokenHardExpiresAt: null },
      error: { step: "callback", code, message },
      details: { code, claimedRealmId: row.pendingRealmId },
    });
    return id;
  });
  if (revocationId) await attemptRevocation(revocationId, context.actor.userId, context.meta);
  return new AppError(code, 409, message);
}
