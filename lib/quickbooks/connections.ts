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
