import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { db } from "@/db";
import { apiKeys } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { ApiKeyView } from "./api-key-view";
import { apiKeyViewOf, findTenantApiKey } from "./list-api-keys";

export interface RevokeApiKeyOptions {
  tenantId: string;
  actorUserId: string;
  apiKeyId: string;
  meta?: RequestMeta;
  now?: Date;
}

export const apiKeyNotFound = () => new AppError("api_key_not_found", 404, "There is no such API key in this tenant.");

/** Revokes a key at once (a key in its rotation grace period too). Revoking a revoked key changes nothing. */
export async function revokeApiKey({ tenantId, actorUserId, apiKeyId, meta, now = new Date() }: RevokeApiKeyOptions): Promise<ApiKeyView> {
  return db().transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: now, revokedByUserId: actorUserId })
      .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, apiKeyId), isNull(apiKeys.revokedAt)))
      .returning();
    if (revoked) {
      await recordAudit(tx, {
        tenantId,
        actorUserId,
        action: "api_key.revoked",
        target: `api_key:${revoked.prefix}`,
        outcome: "success",
        details: { name: revoked.name },
        meta,
      });
      return apiKeyViewOf(revoked, null, now);
    }
    const existing = await findTenantApiKey(tx, tenantId, apiKeyId);
    if (!existing) throw apiKeyNotFound();
    return apiKeyViewOf(existing, null, now);
  });
}
