import "server-only";
import { and, eq, gt, isNull } from "drizzle-orm";
import { db } from "@/db";
import { apiKeys } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { knownScopes, latestExpiry, type ApiKeyRotateInput } from "./api-key-rules";
import type { ApiKeyView } from "./api-key-view";
import type { CreatedApiKey } from "./create-api-key";
import { insertApiKey } from "./create-api-key";
import { apiKeyViewOf, findTenantApiKey } from "./list-api-keys";
import { apiKeyNotFound } from "./revoke-api-key";

export interface RotateApiKeyOptions {
  tenantId: string;
  actorUserId: string;
  actorEmail: string;
  apiKeyId: string;
  input: ApiKeyRotateInput;
  meta?: RequestMeta;
  now?: Date;
}

export interface RotatedApiKey extends CreatedApiKey {
  previous: ApiKeyView;
}

const DAY_MS = 86_400_000;

/**
 * Issues a new key with the same name and scopes, and the same lifetime from now (at most a year); the old key keeps
 * working until the grace period the admin chose (0 to 30 days, never past its own expiry), then gets 401. A key can
 * be rotated once: rotate its replacement next time.
 */
export async function rotateApiKey({ tenantId, actorUserId, actorEmail, apiKeyId, input, meta, now = new Date() }: RotateApiKeyOptions): Promise<RotatedApiKey> {
  return db().transaction(async (tx) => {
    const old = await findTenantApiKey(tx, tenantId, apiKeyId);
    if (!old) throw apiKeyNotFound();
    const lifetime = Math.max(old.expiresAt.getTime() - old.createdAt.getTime(), DAY_MS);
    const expiresAt = new Date(Math.min(now.getTime() + lifetime, latestExpiry(now).getTime()));
    const graceExpiresAt = new Date(now.getTime() + input.graceDays * DAY_MS);

    const { row, key } = await insertApiKey(tx, {
      tenantId,
      name: old.name,
      scopes: knownScopes(old.scopes),
      expiresAt,
      createdByUserId: actorUserId,
      now,
      rotatedFromId: old.id,
    });
    // Only a usable key that was not rotated yet: the condition settles two admins rotating at once.
    const [previous] = await tx
      .update(apiKeys)
      .set({ replacedById: row.id, graceExpiresAt })
      .where(and(eq(apiKeys.id, old.id), eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt), isNull(apiKeys.replacedById), gt(apiKeys.expiresAt, now)))
      .returning();
    if (!previous) throw new AppError("api_key_not_rotatable", 409, "This key is revoked, expired or already rotated: rotate its replacement, or create a new key.");

    await recordAudit(tx, {
      tenantId,
      actorUserId,
      action: "api_key.rotated",
      target: `api_key:${old.prefix}`,
      outcome: "success",
      details: { replacedBy: row.prefix, graceDays: input.graceDays, graceExpiresAt: graceExpiresAt.toISOString(), expiresAt: expiresAt.toISOString() },
      meta,
    });
    return { apiKey: apiKeyViewOf(row, actorEmail, now), key, previous: apiKeyViewOf(previous, null, now) };
  });
}
