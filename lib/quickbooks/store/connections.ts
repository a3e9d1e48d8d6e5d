import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { Executor, Transaction } from "@/db";
import { quickbooksConnections, type ConnectionStatus } from "@/db/schema";
import { recordAudit, type AuditDetails, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { assertTransition, isReauthorizationReason, REAUTHORIZATION, TRANSITION_REASONS, type TransitionReason } from "../rules/connection-state";
import type { ConnectionFacts } from "../rules/steps";
import { connectionEventFor } from "@/lib/notifications/rules/connection-events";
import { emitEvent, lastConnectionEvent } from "@/lib/notifications/store/outbox";

export type ConnectionRow = typeof quickbooksConnections.$inferSelect;

/** The tenant's connection for one environment; the tenant filter is part of the query. */
export async function findConnection(executor: Executor, tenantId: string, environment: IntuitEnvironment): Promise<ConnectionRow | null> {
  const [row] = await executor
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, tenantId), eq(quickbooksConnections.environment, environment)));
  return row ?? null;
}

/** The same row, locked until the transaction ends: the way to serialise changes to one connection. */
export async function lockConnection(tx: Executor, tenantId: string, environment: IntuitEnvironment): Promise<ConnectionRow | null> {
  const [row] = await tx
    .select()
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.tenantId, tenantId), eq(quickbooksConnections.environment, environment)))
    .for("update");
  return row ?? null;
}

/** The tenant's connection row for the environment, created not_connected if it has none yet, and locked. */
export async function lockOrCreateConnection(tx: Transaction, tenantId: string, environment: IntuitEnvironment): Promise<ConnectionRow> {
  await tx.insert(quickbooksConnections).values({ tenantId, environment, status: "not_connected" }).onConflictDoNothing();
  const row = await lockConnection(tx, tenantId, environment);
  if (!row) throw new Error("The connection row vanished right after it was created.");
  return row;
}

/** The columns facts are read from: the sealed access token only to say whether there is one, never its value. */
export interface ConnectionFactsSource extends Omit<ConnectionFacts, "hasAccessToken" | "hasRefreshToken"> {
  accessTokenEnc: string | null;
  hasRefreshToken: boolean;
}

/** What the steps, the indicator and readiness are computed from: never the token values themselves. */
export function factsFrom(source: ConnectionFactsSource): ConnectionFacts {
  return {
    status: source.status,
    realmId: source.realmId,
    hasAccessToken: source.accessTokenEnc !== null,
    hasRefreshToken: source.hasRefreshToken,
    accessTokenExpiresAt: source.accessTokenExpiresAt,
    refreshTokenExpiresAt: source.refreshTokenExpiresAt,
    refreshTokenHardExpiresAt: source.refreshTokenHardExpiresAt,
    authorizationStartedAt: source.authorizationStartedAt,
    callbackAt: source.callbackAt,
    verifiedAt: source.verifiedAt,
    provenAt: source.provenAt ?? null,
    connectedAt: source.connectedAt,
    lastRefreshedAt: source.lastRefreshedAt,
    lastErrorStep: source.lastErrorStep,
    lastErrorCode: source.lastErrorCode,
    lastErrorMessage: source.lastErrorMessage,
    lastErrorAt: source.lastErrorAt,
  };
}

export function connectionFacts(row: ConnectionRow): ConnectionFacts {
  return factsFrom({ ...row, hasRefreshToken: row.refreshTokenEnc !== null });
}

export interface ConnectionError {
  step: "callback" | "verify" | "refresh";
  code: string;
  /** Written for the person at the console: it becomes the step's reason and the indicator's. */
  message: string;
  at: Date;
}

const errorColumns = (error: Omit<ConnectionError, "at"> | null, at: Date | null) => ({
  lastErrorStep: error?.step ?? null,
  lastErrorCode: error?.code ?? null,
  lastErrorMessage: error?.message ?? null,
  lastErrorAt: error ? at : null,
});

/** The error the steps show, with no status change: a failed Verify, callback or renewal that Intuit may still accept. */
export async function recordConnectionError(
  executor: Executor,
  connection: { tenantId: string; environment: IntuitEnvironment },
  error: ConnectionError,
): Promise<void> {
  const c = quickbooksConnections;
  await executor
    .update(c)
    .set({ ...errorColumns(error, error.at), updatedAt: error.at })
    .where(
      and(
        eq(c.tenantId, connection.tenantId),
        eq(c.environment, connection.environment),
        // A Connect that failed (cancelled at Intuit, an expired or refused answer) changes nothing on a connection that
        // works: it stays active and green, and the console says what happened to the attempt.
        error.step === "callback" ? ne(c.status, "active") : undefined,
      ),
    );
}

/** A renewal that works resolves an earlier renewal failure: written with the renewed tokens. */
export function resolvedRefreshError(row: Pick<ConnectionRow, "lastErrorStep">) {
  return row.lastErrorStep === "refresh" ? errorColumns(null, null) : {};
}

/** Columns a move writes besides its status and error: tokens, realm, timestamps. */
export type ConnectionChanges = Omit<
  Partial<typeof quickbooksConnections.$inferInsert>,
  "id" | "tenantId" | "environment" | "status" | "lastErrorStep" | "lastErrorCode" | "lastErrorMessage" | "lastErrorAt" | "updatedAt" | "createdAt"
>;

export interface TransitionEffects {
  at: Date;
  actor: { userId: string | null; apiKeyId?: string | null };
  meta?: RequestMeta;
  changes?: ConnectionChanges;
  /** What the audit event says beyond the move itself (from, to). */
  details?: AuditDetails;
  /** The error the steps show after a move that records one and has no standing message (claim_dropped). */
  error?: Omit<ConnectionError, "at">;
}

/**
 * Every change of a connection's status goes through here, on a row locked by the caller's transaction: it checks
 * the move against the state machine, writes the status with the move's other columns, clears or records the error
 * the steps show, and writes the move's audit event (and `connection.activated` when the profile becomes active),
 * so the change and its evidence commit together.
 */
export async function transitionConnection(
  tx: Transaction,
  connection: ConnectionRow,
  to: ConnectionStatus,
  reason: TransitionReason,
  { at, actor, meta, changes = {}, details = {}, ...effects }: TransitionEffects,
): Promise<ConnectionRow> {
  assertTransition(connection.status, to);
  const errorEffect = TRANSITION_REASONS[reason].error;
  const recorded = isReauthorizationReason(reason) ? REAUTHORIZATION[reason] : effects.error;
  if (errorEffect === "set" && !recorded) throw new Error(`A ${reason} move must say what went wrong.`);
  const error = errorEffect === "set" ? errorColumns(recorded!, at) : errorEffect === "clear" ? errorColumns(null, null) : {};
  const [moved] = await tx
    .update(quickbooksConnections)
    .set({ ...changes, status: to, ...error, updatedAt: at })
    .where(and(eq(quickbooksConnections.id, connection.id), eq(quickbooksConnections.tenantId, connection.tenantId)))
    .returning();
  if (!moved) throw new Error("The locked connection row vanished during a transition.");

  const realmId = moved.realmId ?? connection.realmId;
  const audit = {
    tenantId: connection.tenantId,
    actorUserId: actor.userId,
    actorApiKeyId: actor.apiKeyId ?? null,
    target: realmId ? `quickbooks:${connection.environment}:${realmId}` : `quickbooks:${connection.environment}`,
    meta,
  };
  await recordAudit(tx, {
    ...audit,
    action: TRANSITION_REASONS[reason].audit,
    outcome: errorEffect === "set" ? "failure" : "success",
    details: { from: connection.status, to, ...details },
  });
  if (to === "active" && connection.status !== "active") await recordAudit(tx, { ...audit, action: "connection.activated", outcome: "success" });
  // A move that keeps the status (a reconnect started from reauthorization_required) is no news.
  if (to !== connection.status) await notifyMove(tx, moved, to, reason, actor, at);
  return moved;
}

/** The notification a move sends (lib/notifications), in the move's own transaction: sent if and only if it commits. */
async function notifyMove(tx: Transaction, moved: ConnectionRow, to: ConnectionStatus, reason: TransitionReason, actor: TransitionEffects["actor"], at: Date): Promise<void> {
  const type = connectionEventFor(to, await lastConnectionEvent(tx, moved.tenantId, moved.environment));
  if (!type) return;
  const base = { environment: moved.environment, realmId: moved.realmId };
  const event =
    type === "connection.reauthorization_required"
      ? { type, data: { ...base, reason: moved.lastErrorCode ?? reason, message: moved.lastErrorMessage ?? "Reauthorization required. Reconnect to QuickBooks." } }
      : type === "connection.disconnected"
        ? { type, data: { ...base, by: actor.userId || actor.apiKeyId ? ("console" as const) : ("quickbooks" as const) } }
        : { type, data: base };
  await emitEvent(tx, { tenantId: moved.tenantId, ...event, at });
}
