import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/db";
import { tokenRevocations } from "@/db/schema";
import type { RequestMeta } from "@/lib/audit/record";
import { attemptRevocation, type RevocationOutcome } from "./attempt-revocation";
import { sealForRevocation } from "./client/access-token";
import { intuitAppFor } from "./client/intuit-app";
import { canTransition } from "./rules/connection-state";
import { lockConnection, transitionConnection } from "./store/connections";
import { queueRevocation } from "./store/token-revocations";

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
    if (!row || !canTransition(row.status, "disconnected")) return false;
    const sealed = sealForRevocation(tenantId, { connection: row });
    if (sealed) await queueRevocation(tx, { ...sealed, tenantId, environment: app.environment, realmId: row.realmId, requestedByUserId: actorUserId });
    await transitionConnection(tx, row, "disconnected", "disconnected", {
      at: now,
      actor: { userId: actorUserId },
      meta,
      // The company is let go with the grant: another tenant may connect it, and this tenant's next Connect starts
      // from nothing (the callback log and the audit trail keep the history).
      changes: {
        realmId: null,
        pendingRealmId: null,
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessTokenExpiresAt: null,
        refreshTokenExpiresAt: null,
        refreshTokenHardExpiresAt: null,
        disconnectedAt: now,
      },
      details: { companyName: row.companyName },
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
async function revokePending(tenantId: string, actorUserId: string | null, meta?: RequestMeta): Promise<RevocationOutcome[]> {
  const pending = await db()
    .select({ id: tokenRevocations.id })
    .from(tokenRevocations)
    .where(and(eq(tokenRevocations.tenantId, tenantId), inArray(tokenRevocations.status, ["pending", "failed"])));
  const outcomes: RevocationOutcome[] = [];
  for (const { id } of pending) outcomes.push(await attemptRevocation(id, actorUserId, meta));
  return outcomes;
}

