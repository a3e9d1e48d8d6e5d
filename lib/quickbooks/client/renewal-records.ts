import "server-only";
import type { Transaction } from "@/db";
import { recordAudit } from "@/lib/audit/record";
import type { IntuitTokenSet } from "@/lib/intuit/oauth";
import type { RefreshFailure } from "../rules/token-renewal";
import { recordConnectionError, transitionConnection, type ConnectionRow } from "../store/connections";
import { writeRefreshLog, type RefreshTrigger } from "../store/refresh-log";
import type { IntuitApp } from "./intuit-app";

// What a renewal leaves behind, written in the renewal's own transaction: the refresh log row, the audit event, and
// for a refusal what it does to the connection. Never a token: only expiry times, codes and Intuit's trace id.

export interface RenewalContext {
  /** The connection row as the renewal settles on it (locked). */
  row: ConnectionRow;
  app: IntuitApp;
  trigger: RefreshTrigger;
  actorUserId: string | null;
  at: Date;
}

function logContext({ row, app, trigger }: RenewalContext) {
  return {
    tenantId: row.tenantId,
    connectionId: row.id,
    environment: app.environment,
    realmId: row.realmId,
    trigger,
    oldAccessExpiresAt: row.accessTokenExpiresAt,
    oldRefreshExpiresAt: row.refreshTokenExpiresAt,
  };
}

const targetOf = ({ row, app }: RenewalContext) => `quickbooks:${app.environment}:${row.realmId}`;

export async function recordRenewal(
  tx: Transaction,
  renewal: RenewalContext,
  outcome: { tokens: IntuitTokenSet; sealed: { accessTokenExpiresAt: Date; refreshTokenExpiresAt: Date }; rotated: boolean; durationMs: number },
): Promise<void> {
  const { tokens, sealed, rotated } = outcome;
  await writeRefreshLog(tx, {
    ...logContext(renewal),
    outcome: "success",
    errorCode: null,
    message: rotated ? "Access token renewed; Intuit rotated the refresh token and the new one is stored." : "Access token renewed.",
    intuitTid: tokens.intuitTid,
    newAccessExpiresAt: sealed.accessTokenExpiresAt,
    newRefreshExpiresAt: sealed.refreshTokenExpiresAt,
    refreshTokenRotated: rotated,
    durationMs: outcome.durationMs,
  });
  await recordAudit(tx, {
    tenantId: renewal.row.tenantId,
    actorUserId: renewal.actorUserId,
    action: rotated ? "token.rotated" : "token.refreshed",
    target: targetOf(renewal),
    outcome: "success",
    details: { trigger: renewal.trigger, intuitTid: tokens.intuitTid, accessTokenExpiresAt: sealed.accessTokenExpiresAt.toISOString() },
  });
}

/**
 * A renewal Intuit answered whose tokens were not stored: the connection moved on while Intuit answered
 * (settleRenewedTokens). Logged as skipped, with what became of them; the connection is not touched.
 */
export async function recordUnstoredRenewal(
  tx: Transaction,
  renewal: RenewalContext,
  outcome: { tokens: IntuitTokenSet; revoked: boolean; durationMs: number },
): Promise<void> {
  await writeRefreshLog(tx, {
    ...logContext(renewal),
    outcome: "skipped",
    errorCode: "connection_changed",
    message: outcome.revoked
      ? "Intuit renewed the token, but the connection let its grant go meanwhile: the new tokens were not stored and their grant is queued for revocation."
      : "Intuit renewed the token, but the connection changed meanwhile (a newer grant, or another renewal, was stored): the new tokens were not stored.",
    intuitTid: outcome.tokens.intuitTid,
    newAccessExpiresAt: null,
    newRefreshExpiresAt: null,
    refreshTokenRotated: null,
    durationMs: outcome.durationMs,
  });
}

/**
 * Logs a failed renewal and, with `applyToConnection` (settleRefusal), does to the connection what the failure means
 * (classifyRefreshFailure).
 */
export async function recordRefreshFailure(
  tx: Transaction,
  renewal: RenewalContext,
  failure: RefreshFailure,
  intuitTid: string | null,
  durationMs: number,
  { applyToConnection = true }: { applyToConnection?: boolean } = {},
): Promise<void> {
  const { row, at } = renewal;
  if (applyToConnection && failure.connection === "reauthorize") {
    await transitionConnection(tx, row, "reauthorization_required", "grant_refused", { at, actor: { userId: renewal.actorUserId }, details: { intuitTid } });
  } else if (applyToConnection && failure.connection === "record_error") {
    await recordConnectionError(tx, row, { step: "refresh", code: failure.code, message: failure.error.userMessage, at });
  }
  await writeRefreshLog(tx, {
    ...logContext(renewal),
    outcome: "failure",
    errorCode: failure.code,
    message: failure.error.userMessage,
    intuitTid,
    newAccessExpiresAt: null,
    newRefreshExpiresAt: null,
    refreshTokenRotated: false,
    durationMs,
  });
  await recordAudit(tx, {
    tenantId: row.tenantId,
    actorUserId: renewal.actorUserId,
    action: "token.refresh_failed",
    target: targetOf(renewal),
    outcome: "failure",
    details: { trigger: renewal.trigger, code: failure.code, intuitTid },
  });
}
