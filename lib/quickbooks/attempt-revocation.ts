import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { tokenRevocations } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { IntuitOAuthError } from "@/lib/intuit/oauth";
import { revokeSealedGrant } from "./client/access-token";
import { intuitAppFor } from "./client/intuit-app";

export interface RevocationOutcome {
  status: "revoked" | "failed";
  message: string;
}

/**
 * One try at revoking, at Intuit, a grant the app has let go of (disconnect). Confirmed or already unknown to Intuit:
 * the sealed token kept for it is erased. Failed: it is kept, logged and retried (disconnect again, or the
 * revocation-retry sweep).
 */
export async function attemptRevocation(revocationId: string, actorUserId: string | null, meta?: RequestMeta): Promise<RevocationOutcome> {
  const [revocation] = await db().select().from(tokenRevocations).where(eq(tokenRevocations.id, revocationId));
  if (!revocation || revocation.status === "revoked" || !revocation.tokenEnc) return { status: "revoked", message: "Already revoked." };
  const app = await intuitAppFor(revocation.tenantId, revocation.environment);
  const target = `quickbooks:${revocation.environment}:${revocation.realmId}`;
  const now = new Date();
  try {
    const { intuitTid } = await revokeSealedGrant(app, { id: revocation.id, tenantId: revocation.tenantId, tokenEnc: revocation.tokenEnc });
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
