import "server-only";
import { db, type Transaction } from "@/db";
import type { RequestMeta } from "@/lib/audit/record";
import type { CompanyInfo } from "@/lib/intuit/company-info";
import type { IntuitApiError } from "@/lib/intuit/faults";
import type { IntuitTokenSet } from "@/lib/intuit/oauth";
import { attemptRevocation } from "./attempt-revocation";
import { sealForRevocation, sealTokenSet } from "./client/access-token";
import type { IntuitApp } from "./client/intuit-app";
import { writeCallbackLog } from "./store/callback-log";
import { lockConnection, transitionConnection, type ConnectionRow } from "./store/connections";
import type { ConnectRequest } from "./store/oauth-state";
import { queueRevocation } from "./store/token-revocations";
import { activateConnection, recordVerifyFailure } from "./verify-connection";

// What a callback stores once its code is exchanged, by what CompanyInfo said of the claimed company
// (prove-company.ts): proven, the connection holds the company and is active; not confirmed (QuickBooks could not be
// asked), the tokens are kept with the company as a claim that Verify proves later.

export interface CallbackGrant {
  app: IntuitApp;
  request: ConnectRequest;
  /** The company the callback's query string names. */
  realmId: string;
  tokens: IntuitTokenSet;
  meta: RequestMeta;
  /** performance.now() when the callback began, for the callback log's latency. */
  startedAt: number;
}

/** Proven: tokens, company and activation in one transaction. A unique violation of the realm index: another tenant won. */
export async function storeProvenGrant(grant: CallbackGrant, proof: { companyInfo: CompanyInfo; intuitTid: string | null }): Promise<void> {
  const at = new Date();
  const revocationId = await db().transaction(async (tx) => {
    const row = await lockRequestedConnection(tx, grant);
    const released = await releaseCompanyLeft(tx, row, grant);
    const stored = await storeTokens(tx, row, grant, at, { realmId: grant.realmId, pendingRealmId: null });
    await activateConnection(tx, stored, {
      realmId: grant.realmId,
      companyInfo: proof.companyInfo,
      intuitTid: proof.intuitTid,
      environment: grant.app.environment,
      at,
      actor: { userId: grant.request.userId },
      meta: grant.meta,
    });
    await logCallback(tx, grant, "Authorization code exchanged, the company confirmed by QuickBooks; tokens stored encrypted.");
    return released;
  });
  if (revocationId) await attemptRevocation(revocationId, grant.request.userId, grant.meta);
}

/**
 * Not confirmed: a connection that holds a working company keeps it (answered `false`: nothing was stored, and the
 * caller revokes the new grant); any other keeps the new tokens with the company as a claim, and its Verify step says
 * what failed.
 */
export async function storeClaimedGrant(grant: CallbackGrant, failure: IntuitApiError): Promise<boolean> {
  const at = new Date();
  const stored = await db().transaction(async (tx) => {
    const row = await lockRequestedConnection(tx, grant);
    if (row.status === "active") return null;
    const released = await releaseCompanyLeft(tx, row, grant);
    const claimed = await storeTokens(tx, row, grant, at, { realmId: row.realmId === grant.realmId ? row.realmId : null, pendingRealmId: grant.realmId });
    await logCallback(tx, grant, "Authorization code exchanged; tokens stored encrypted. QuickBooks could not confirm the company yet: Verify does.");
    await recordVerifyFailure(tx, claimed, failure, { actor: { userId: grant.request.userId }, meta: grant.meta, realmId: grant.realmId });
    return { released };
  });
  if (stored?.released) await attemptRevocation(stored.released, grant.request.userId, grant.meta);
  return stored !== null;
}

async function lockRequestedConnection(tx: Transaction, grant: CallbackGrant): Promise<ConnectionRow> {
  const row = await lockConnection(tx, grant.request.tenantId, grant.app.environment);
  if (!row) throw new Error("The connection row is missing although authorization started.");
  return row;
}

/** A tenant that moves to another company lets go of the grant of the one it leaves: queued for revocation. */
async function releaseCompanyLeft(tx: Transaction, row: ConnectionRow, grant: CallbackGrant): Promise<string | null> {
  const left = row.realmId ?? row.pendingRealmId;
  const sealed = sealForRevocation(row.tenantId, { connection: row });
  if (!left || left === grant.realmId || !sealed) return null;
  return queueRevocation(tx, { ...sealed, tenantId: row.tenantId, environment: row.environment, realmId: left, requestedByUserId: grant.request.userId });
}

/** The new tokens on the connection (the Callback step), keeping what is known of the company if it is the same. */
async function storeTokens(tx: Transaction, row: ConnectionRow, grant: CallbackGrant, at: Date, company: { realmId: string | null; pendingRealmId: string | null }) {
  const sameCompany = row.realmId === grant.realmId;
  // An active connection to the same company stays active while its new tokens are stored.
  return transitionConnection(tx, row, row.status === "active" && sameCompany ? "active" : "callback_received", "tokens_stored", {
    at,
    actor: { userId: grant.request.userId },
    meta: grant.meta,
    changes: {
      ...company,
      ...sealTokenSet(grant.tokens, at, row),
      callbackAt: at,
      companyName: sameCompany ? row.companyName : null,
      verifiedAt: sameCompany ? row.verifiedAt : null,
      connectedAt: sameCompany ? row.connectedAt : null,
      disconnectedAt: null,
    },
    details: { intuitTid: grant.tokens.intuitTid, realmChanged: !sameCompany && row.realmId !== null, claimedRealmId: grant.realmId },
  });
}

async function logCallback(tx: Transaction, grant: CallbackGrant, message: string) {
  await writeCallbackLog(tx, {
    tenantId: grant.request.tenantId,
    userId: grant.request.userId,
    environment: grant.app.environment,
    realmId: grant.realmId,
    outcome: "success",
    errorCode: null,
    message,
    intuitTid: grant.tokens.intuitTid,
    latencyMs: performance.now() - grant.startedAt,
  });
}
