import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import type { AppError } from "@/lib/errors";
import type { IntuitOAuthError, IntuitTokenSet } from "@/lib/intuit/oauth";
import { holdsGrant } from "../rules/connection-state";
import type { tokenExpiries } from "../rules/token-expiries";
import { classifyRefreshFailure, settleRefusal, settleRenewedTokens, type SettleFacts } from "../rules/token-renewal";
import { lockConnection, resolvedRefreshError, type ConnectionRow } from "../store/connections";
import type { RefreshTrigger } from "../store/refresh-log";
import { queueRevocation } from "../store/token-revocations";
import type { IntuitApp } from "./intuit-app";
import { recordRefreshFailure, recordRenewal, recordUnstoredRenewal, type RenewalContext } from "./renewal-records";
import { leaseCleared } from "./renewal-lease";

/**
 * The second short transaction of a renewal (the first took the lease, renewal-lease.ts): Intuit has answered, and the
 * row, locked again, may have moved on meanwhile. What is stored, dropped or revoked is decided by
 * settleRenewedTokens and settleRefusal (rules/token-renewal.ts) on the row as it is now; the refresh log row and the
 * audit event are written in the same transaction. This module never sees a token's value: the token lifecycle
 * (access-token.ts) hands it the operations that do.
 */

export interface UsableToken {
  accessToken: string;
  realmId: string;
  /** The sealed token, so that a 401 retry can tell whether another caller has renewed it since. */
  sealed: string;
}

export interface RenewResult {
  token: UsableToken;
  renewed: boolean;
  accessTokenExpiresAt: Date | null;
  refreshTokenExpiresAt: Date | null;
}

/** What Intuit answered to the refresh token `sent`. */
export type IntuitAnswer = { tokens: IntuitTokenSet; sent: string } | { refused: IntuitOAuthError; sent: string };

export type RenewalStep =
  | { kind: "done"; result: RenewResult }
  /** Another renewal holds the lease: wait, then decide again. */
  | { kind: "busy" }
  /** The row moved on under this renewal: decide again on what it holds now. */
  | { kind: "again" }
  | { kind: "refused"; error: AppError };

type SealedTokenSet = { accessTokenEnc: string; refreshTokenEnc: string } & ReturnType<typeof tokenExpiries>;

export interface Settlement {
  /** The row as the lease was taken on it. */
  row: ConnectionRow;
  leaseId: string;
  answer: IntuitAnswer;
  renewal: { app: IntuitApp; trigger: RefreshTrigger; actorUserId: string | null; clock: () => Date };
  /** Whether the row still holds the refresh token this renewal sent (compared by value: a re-seal changes the text). */
  holdsSentToken(row: ConnectionRow): boolean;
  seal(tokens: IntuitTokenSet, receivedAt: Date, row: ConnectionRow): SealedTokenSet;
  sealForRevocation(refreshToken: string): { id: string; tokenEnc: string } | null;
  /** performance.now() when the renewal began: the logged duration. */
  startedAt: number;
}

const c = quickbooksConnections;
const companyOf = (row: ConnectionRow) => row.pendingRealmId ?? row.realmId;

export async function settleRenewal(settlement: Settlement): Promise<RenewalStep> {
  const { answer, leaseId, renewal } = settlement;
  return db().transaction(async (tx): Promise<RenewalStep> => {
    const row = await lockConnection(tx, settlement.row.tenantId, renewal.app.environment);
    // Gone with its tenant: deciding again says "not connected".
    if (!row) return { kind: "again" };
    const facts: SettleFacts = {
      holdsGrant: holdsGrant(row.status) && row.refreshTokenEnc !== null,
      sameRefreshToken: settlement.holdsSentToken(row),
      sameCompany: companyOf(row) === companyOf(settlement.row),
      leaseTakenOver: row.renewalLeaseId !== null && row.renewalLeaseId !== leaseId,
    };
    const ownsLease = row.renewalLeaseId === leaseId;
    const at = renewal.clock();
    const context: RenewalContext = { row, app: renewal.app, trigger: renewal.trigger, actorUserId: renewal.actorUserId, at };
    const durationMs = performance.now() - settlement.startedAt;
    const where = and(eq(c.id, row.id), eq(c.tenantId, row.tenantId));

    if ("tokens" in answer) {
      const { tokens } = answer;
      const rotated = tokens.refreshToken !== answer.sent;
      const verdict = settleRenewedTokens(facts, rotated);
      if (verdict === "store") {
        const sealed = settlement.seal(tokens, at, row);
        await tx
          .update(c)
          .set({ ...sealed, lastRefreshedAt: at, updatedAt: at, ...resolvedRefreshError(row), ...(ownsLease ? leaseCleared : {}) })
          .where(where);
        await recordRenewal(tx, context, { tokens, sealed, rotated, durationMs });
        const token = { accessToken: tokens.accessToken, realmId: companyOf(row) ?? "", sealed: sealed.accessTokenEnc };
        return { kind: "done", result: { token, renewed: true, accessTokenExpiresAt: sealed.accessTokenExpiresAt, refreshTokenExpiresAt: sealed.refreshTokenExpiresAt } };
      }
      if (ownsLease) await tx.update(c).set(leaseCleared).where(where);
      if (verdict === "revoke") {
        const revocation = settlement.sealForRevocation(tokens.refreshToken);
        if (revocation) {
          await queueRevocation(tx, {
            ...revocation,
            tenantId: row.tenantId,
            environment: row.environment,
            realmId: companyOf(settlement.row),
            requestedByUserId: renewal.actorUserId,
          });
        }
      }
      await recordUnstoredRenewal(tx, { ...context, row: settlement.row }, { tokens, revoked: verdict === "revoke", durationMs });
      return { kind: "again" };
    }

    const failure = classifyRefreshFailure(answer.refused);
    const verdict = settleRefusal(facts, failure);
    if (ownsLease) await tx.update(c).set(leaseCleared).where(where);
    await recordRefreshFailure(tx, context, failure, answer.refused.intuitTid, durationMs, { applyToConnection: verdict === "apply" });
    // Intuit busy or out of reach, or the refusal speaks for the connection: the caller hears it. Otherwise the row has
    // moved on (another token, another lease, no grant any more): decide again on what it holds.
    return verdict === "apply" || failure.connection === "unchanged" ? { kind: "refused", error: failure.error } : { kind: "again" };
  });
}
