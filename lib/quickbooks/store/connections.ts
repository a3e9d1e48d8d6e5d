import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/index";
import { quickbooksConnections } from "@/db/schema/index";
import type { IntuitEnvironment } from "@/lib/env";
import type { ConnectionFacts } from "../rules/steps";

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
