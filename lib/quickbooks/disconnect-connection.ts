import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/db/index";
import { quickbooksConnections, tokenRevocations } from "@/db/schema/index";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { IntuitOAuthError, revokeToken } from "@/lib/intuit/oauth";
import { authorizationServerFor } from "./client/authorization-server";
import { lockConnection } from "./store/connections";
import { intuitAppFor } from "./client/intuit-app";
import { INTUIT_RETRY, withRetry } from "./client/retry";

export interface DisconnectOptions {
  tenantId: string;
  actorUserId: string | null;
  meta?: RequestMeta;
}

export interface DisconnectResult {
  disconnected: boolean;
  revocation: { status: "revoked" | "failed" | "none"; message: string };
}

/**
 * Disconnect: wipe both tokens locally and mark the profile disconnected in one transaction, then revoke the grant
 * at Intuit. The local wipe never waits on Intuit: if Intuit cannot be reached, the revocation is logged, shown,
 * and retried (by calling disconnect again, or by the background job), holding only the sealed refresh token.
 */
export async function disconnectConnection({ tenantId, actorUserId, meta }: DisconnectOptions): Promise<DisconnectResult> {
  const app = await intuitAppFor(tenantId);
  const now = new Date();
  const disconnected = await db().transaction(async (tx) => {
    const row = await lockConnection(tx, tenantId, app.environment);
    if (!row || (row.status === "disconnected" && !row.refreshTokenEnc)) return false;
    const token = row.refreshTokenEnc ?? row.accessTokenEnc;
    if (token) {
      await tx.insert(tokenRevocations).values({ tenantId, environment: app.environment, realmId: row.realmId, tokenEnc: token, requestedByUserId: actorUserId });
    }
    await tx
      .update(quickbooksConnections)
      .set({
        status: "disconnected",
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        refreshTokenHardExpiresAt: null,
        disconnectedAt: now,
        lastErrorStep: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
        updatedAt: now,
      })
      .where(and(eq(quickbooksConnections.id, row.id), eq(quickbooksConnections.tenantId, tenantId)));
    await recordAudit(tx, {
      tenantId,
      actorUserId,
      action: "connection.disconnected",
      target: `quickbooks:${app.environment}:${row.realmId}`,
      outcome: "success",
      details: { previousStatus: row.status, companyName: row.companyName },
      meta,
    });
    return true;
  });

  const outcomes = await revokePending(tenantId, actorUserId, meta);
  const failed = outcomes.find((o) => o.status === "failed");
  return {
    disconnected,
    revocation: failed
      ? { status: "failed", message: failed.message }
      : outcomes.length > 0
        ? { status: "revoked", message: "Intuit confirmed the revocation." }
        : { status: "none", message: "There was nothing left to revoke at Intuit." },
  };
}

/** Tries every revocation of the tenant that Intuit has not confirmed yet. */
export async function revokePending(tenantId: string, actorUserId: string | null, meta?: RequestMeta) {
  const pending = await db()
    .select({ id: tokenRevocations.id })
    .from(tokenRevocations)
    .where(and(eq(tokenRevocations.tenantId, tenantId), inArray(tokenRevocations.status, ["pending", "failed"])));
  const outcomes: { status: "revoked" | "failed"; message: string }[] = [];
  for (const { id } of pending) outcomes.push(await attemptRevocation(id, actorUserId, meta));
  return outcomes;
}

export async function attemptRevocation(revocationId: string, actorUserId: string | null, meta?: RequestMeta): Promise<{ status: "revoked" | "failed"; message: string }> {
  const [revocation] = await db().select().from(tokenRevocations).where(eq(tokenRevocations.id, revocationId));
  if (!revocation || revocation.status === "revoked" || !revocation.tokenEnc) return { status: "revoked", message: "Already revoked." };
  const app = await intuitAppFor(revocation.tenantId, revocation.environment);
  const target = `quickbooks:${revocation.environment}:${revocation.realmId}`;
  const now = new Date();
  try {
    const as = await authorizationServerFor(app);
    const token = tokenCipher().decrypt(revocation.tokenEnc);
    const { intuitTid } = await withRetry(
      () => revokeToken({ as, client: { clientId: app.clientId, clientSecret: app.clientSecret }, token }),
      (error) => error instanceof IntuitOAuthError && error.retryable,
      INTUIT_RETRY,
    );
    await db().transaction(async (tx) => {
      await tx
        .update(tokenRevocations)
        .set({ status: "revoked", tokenEnc: null, attempts: revocation.attempts + 1, lastAttemptAt: now, revokedAt: now, intuitTid, lastErrorCode: null, lastErrorMessage: null })
        .where(eq(tokenRevocations.id, revocation.id));
      await recordAudit(tx, { tenantId: revocation.tenantId, actorUserId, action: "token.revoked", target, outcome: "success", details: { intuitTid }, meta });
    });
    return { status: "revoked", message: "Intuit confirmed the revocation." };
  } catch (error) {
    const oauthError = error instanceof IntuitOAuthError ? error : null;
    // Intuit answers 400 for a token it no longer knows: it is already revoked, which is what we wanted.
    if (oauthError?.code === "invalid_token" || oauthError?.code === "invalid_grant") {
      await db()
        .update(tokenRevocations)
        .set({ status: "revoked", tokenEnc: null, attempts: revocation.attempts + 1, lastAttemptAt: now, revokedAt: now, intuitTid: oauthError.intuitTid })
        .where(eq(tokenRevocations.id, revocation.id));
      return { status: "revoked", message: "Intuit no longer knew the token: it was already revoked." };
    }
    const unreachable = !oauthError || oauthError.retryable;
    const message = unreachable
      ? "Intuit could not be reached to revoke the tokens. They were wiped here; retry the revocation later."
      : "Intuit refused to revoke the tokens. They were wiped here; check the app's credentials and retry.";
    await db().transaction(async (tx) => {
      await tx
        .update(tokenRevocations)
        .set({ status: "failed", attempts: revocation.attempts + 1, lastAttemptAt: now, lastErrorCode: oauthError?.code ?? "unexpected", lastErrorMessage: message, intuitTid: oauthError?.intuitTid ?? null })
        .where(eq(tokenRevocations.id, revocation.id));
      await recordAudit(tx, {
        tenantId: revocation.tenantId,
        actorUserId,
        action: "token.revoke_failed",
        target,
        outcome: "failure",
        details: { code: oauthError?.code ?? "unexpected", intuitTid: oauthError?.intuitTid ?? null },
        meta,
      });
    });
    return { status: "failed", message };
  }
}
