import "server-only";
import { db, type Executor } from "@/db";
import { apiKeys, type ApiKeyRow } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { ApiKeyScope } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { expiryFromInput, expiryProblem, type ApiKeyCreateInput } from "./api-key-rules";
import type { ApiKeyView } from "./api-key-view";
import { generateKeyMaterial } from "./key-material";
import { apiKeyViewOf } from "./list-api-keys";

export interface CreateApiKeyOptions {
  tenantId: string;
  actorUserId: string;
  actorEmail: string;
  input: ApiKeyCreateInput;
  meta?: RequestMeta;
  now?: Date;
}

/** The new key's view and the key itself: returned this once, never stored, never shown again. */
export interface CreatedApiKey {
  apiKey: ApiKeyView;
  key: string;
}

/** Admins create a key for their active tenant, with chosen scopes and a required expiry at most a year ahead. */
export async function createApiKey({ tenantId, actorUserId, actorEmail, input, meta, now = new Date() }: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const expiresAt = expiryFromInput(input.expiresAt);
  const problem = expiryProblem(expiresAt, now);
  if (problem) throw new AppError("invalid_expiry", 400, problem);
  return db().transaction(async (tx) => {
    const { row, key } = await insertApiKey(tx, { tenantId, name: input.name, scopes: input.scopes, expiresAt, createdByUserId: actorUserId, now });
    await recordAudit(tx, {
      tenantId,
      actorUserId,
      action: "api_key.created",
      target: `api_key:${row.prefix}`,
      outcome: "success",
      details: { name: row.name, scopes: row.scopes.join(" "), expiresAt: row.expiresAt.toISOString() },
      meta,
    });
    return { apiKey: apiKeyViewOf(row, actorEmail, now), key };
  });
}

export async function insertApiKey(
  executor: Executor,
  values: { tenantId: string; name: string; scopes: ApiKeyScope[]; expiresAt: Date; createdByUserId: string; now: Date; rotatedFromId?: string },
): Promise<{ row: ApiKeyRow; key: string }> {
  const material = generateKeyMaterial();
  const [row] = await executor
    .insert(apiKeys)
    .values({
      tenantId: values.tenantId,
      name: values.name,
      scopes: values.scopes,
      prefix: material.prefix,
      secretHash: material.secretHash,
      createdByUserId: values.createdByUserId,
      createdAt: values.now,
      expiresAt: values.expiresAt,
      rotatedFromId: values.rotatedFromId ?? null,
    })
    .returning();
  if (!row) throw new Error("The API key was not inserted.");
  return { row, key: material.key };
}
