import "server-only";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { db } from "@/db";
import { apiKeys, tenants } from "@/db/schema";
import type { ApiKeyScope } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { afterResponse } from "@/lib/http/after-response";
import { apiKeyStatus, isUsable, knownScopes } from "./api-key-rules";
import { keyMatches, prefixOf } from "./key-material";
import { describeError } from "@/lib/describe-error";

/** A request made with an API key: bound to the key's tenant, limited to its scopes, never a person. */
export interface ApiKeyPrincipal {
  kind: "api_key";
  apiKeyId: string;
  /** Always null: no person acted. Audit rows carry actorApiKeyId instead. */
  userId: null;
  tenantId: string;
  tenantName: string;
  keyName: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

export const invalidApiKey = () =>
  new AppError("invalid_api_key", 401, "The API key is not valid: it is unknown, expired, revoked, or was replaced by a rotation.");

/** last_used_at is a hint for the console, not evidence: written at most once a minute per key, after the response. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const pendingTouches = new Set<Promise<unknown>>();

/**
 * The principal for a presented key, or 401 `invalid_api_key` for a malformed, unknown, expired, revoked or
 * post-grace rotated key. One indexed read by the public prefix; the hash is compared in constant time.
 */
export async function authenticateApiKey(key: string, now = new Date()): Promise<ApiKeyPrincipal> {
  const prefix = prefixOf(key);
  if (!prefix) throw invalidApiKey();
  const [row] = await db()
    .select({
      id: apiKeys.id,
      tenantId: apiKeys.tenantId,
      tenantName: tenants.name,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      secretHash: apiKeys.secretHash,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      replacedById: apiKeys.replacedById,
      graceExpiresAt: apiKeys.graceExpiresAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.prefix, prefix));
  if (!row || !keyMatches(key, row.secretHash)) throw invalidApiKey();
  if (!isUsable(apiKeyStatus(row, now))) throw invalidApiKey();

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_WRITE_INTERVAL_MS) touchLastUsed(row.id, now);
  return {
    kind: "api_key",
    apiKeyId: row.id,
    userId: null,
    tenantId: row.tenantId,
    tenantName: row.tenantName,
    keyName: row.name,
    prefix: row.prefix,
    scopes: knownScopes(row.scopes),
  };
}

/**
 * Off the hot path: after the response. The condition makes concurrent requests of one key write the row once a
 * minute at most, whichever instance gets there first.
 */
function touchLastUsed(apiKeyId: string, now: Date): void {
  afterResponse(() => {
    const threshold = new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS);
    const write = db()
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, apiKeyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, threshold))))
      .catch((error: unknown) => {
        console.warn(`Could not record an API key's last use: ${describeError(error)}`);
      })
      .finally(() => pendingTouches.delete(write));
    pendingTouches.add(write);
    return write;
  });
}

/** Tests and scripts: waits for the deferred last_used_at writes. */
export async function settleApiKeyUsage(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all([...pendingTouches]);
}
