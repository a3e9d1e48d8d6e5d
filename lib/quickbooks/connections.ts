import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import type { ConnectionFacts } from "./steps";

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

/** What the steps and the indicator are computed from: never the token values themselves. */
export function connectionFacts(row: ConnectionRow): ConnectionFacts {
  return {
    status: row.status,
    realmId: row.realmId,
    hasAccessToken: row.accessTokenEnc !== null,
    hasRefreshToken: row.refreshTokenEnc !== null,
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    refreshTokenExpiresAt: row.refreshTokenExpiresAt,
    refreshTokenHardExpiresAt: row.refreshTokenHardExpiresAt,
    authorizationStartedAt: row.authorizationStartedAt,
    callbackAt: row.callbackAt,
    verifiedAt: row.verifiedAt,
    connectedAt: row.connectedAt,
    lastRefreshedAt: row.lastRefreshedAt,
    lastErrorStep: row.lastErrorStep,
    lastErrorCode: row.lastErrorCode,
    lastErrorMessage: row.lastErrorMessage,
    lastErrorAt: row.lastErrorAt,
  };
}

export interface ConnectionError {
  step: "callback" | "verify" | "refresh";
  code: string;
  /** Written for the person at the console: it becomes the step's reason and the indicator's. */
  message: string;
  at: Date;
  /** Intuit no longer honours the grant: only a new consent helps. */
  reauthorize?: boolean;
}

/** Records a failure on the connection (and, when Intuit refused the grant, that it must be authorized again). */
export async function recordConnectionError(executor: Executor, connection: { id: string; tenantId: string }, error: ConnectionError): Promise<void> {
  await executor
    .update(quickbooksConnections)
    .set({
      ...(error.reauthorize ? { status: "reauthorization_required" as const } : {}),
      lastErrorStep: error.step,
      lastErrorCode: error.code,
      lastErrorMessage: error.message,
      lastErrorAt: error.at,
      updatedAt: error.at,
    })
    .where(and(eq(quickbooksConnections.id, connection.id), eq(quickbooksConnections.tenantId, connection.tenantId)));
}
