import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "@/db";
import { db } from "@/db";
import { apiKeys, users, type ApiKeyRow } from "@/db/schema";
import { apiKeyStatus, knownScopes } from "./api-key-rules";
import type { ApiKeyView } from "./api-key-view";

export interface ListApiKeysOptions {
  tenantId: string;
  now?: Date;
}

/** The tenant's keys, newest first, as the console shows them. */
export async function listApiKeys({ tenantId, now = new Date() }: ListApiKeysOptions): Promise<ApiKeyView[]> {
  const rows = await db()
    .select({ key: apiKeys, createdBy: users.email })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdByUserId))
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((row) => apiKeyViewOf(row.key, row.createdBy, now));
}

/** One key of the tenant, or null (a key of another tenant is as unknown as a missing one). */
export async function findTenantApiKey(executor: Executor, tenantId: string, id: string): Promise<ApiKeyRow | null> {
  const [row] = await executor
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
  return row ?? null;
}

export function apiKeyViewOf(row: ApiKeyRow, createdBy: string | null, now: Date): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: knownScopes(row.scopes),
    status: apiKeyStatus(row, now),
    createdAt: row.createdAt.toISOString(),
    createdBy,
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    rotatedFromId: row.rotatedFromId,
    replacedById: row.replacedById,
    graceExpiresAt: row.graceExpiresAt?.toISOString() ?? null,
  };
}
