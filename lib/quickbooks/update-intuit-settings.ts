import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { db, type Transaction } from "@/db";
import { intuitCredentials, tenantIntuitSettings } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import type { IntuitEnvironment } from "@/lib/env";
import { intuitAppFor } from "./client/intuit-app";
import { holdsGrant } from "./rules/connection-state";
import { lockConnection, transitionConnection } from "./store/connections";

export const settingsUpdateSchema = z
  .object({
    environment: z.enum(["sandbox", "production"]),
    clientId: z.string().trim().min(8, "The client id looks too short.").max(200).optional(),
    clientSecret: z.string().trim().min(8, "The client secret looks too short.").max(200).optional(),
    /** An absolute URL, or null to go back to the platform's redirect URI. */
    redirectUri: z.union([z.url({ protocol: /^https?$/ }).max(500), z.null()]).optional(),
    clearCredentials: z.boolean().optional(),
  })
  .strict();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/**
 * Saves the tenant's environment, credentials and redirect URI. Changing an environment's Intuit app makes that
 * environment's connection's tokens someone else's: the connection is flagged for reauthorization, so every check
 * that relied on it re-runs after the reconnect. Choosing the other environment changes no app: the sandbox
 * connection stays connected when a tenant moves to production (its mappings are still validated there; issue 17).
 */
export async function updateIntuitSettings(tenantId: string, actorUserId: string, update: SettingsUpdate, meta?: RequestMeta) {
  const now = new Date();
  await db().transaction(async (tx) => {
    const before = await intuitAppFor(tenantId, undefined, tx);
    const beforeApp = await intuitAppFor(tenantId, update.environment, tx);
    const [existing] = await tx
      .select()
      .from(intuitCredentials)
      .where(and(eq(intuitCredentials.tenantId, tenantId), eq(intuitCredentials.environment, update.environment)));

    if (update.clearCredentials) {
      await tx.delete(intuitCredentials).where(and(eq(intuitCredentials.tenantId, tenantId), eq(intuitCredentials.environment, update.environment)));
    } else if (update.clientId || update.clientSecret) {
      const clientId = update.clientId ?? existing?.clientId;
      if (!clientId || (!update.clientSecret && !existing)) {
        throw new AppError("incomplete_credentials", 400, "Enter both the client id and the client secret of the Intuit app.");
      }
      const secret = update.clientSecret ? { clientSecretEnc: tokenCipher().encrypt(update.clientSecret), secretLast4: update.clientSecret.slice(-4) } : {};
      await tx
        .insert(intuitCredentials)
        .values({ tenantId, environment: update.environment, clientId, clientSecretEnc: "", secretLast4: "", ...secret, setAt: now, setByUserId: actorUserId })
        .onConflictDoUpdate({
          target: [intuitCredentials.tenantId, intuitCredentials.environment],
          set: { clientId, ...secret, setAt: now, setByUserId: actorUserId },
        });
    }

    await tx
      .insert(tenantIntuitSettings)
      .values({ tenantId, environment: update.environment, redirectUri: update.redirectUri ?? null, updatedAt: now, updatedByUserId: actorUserId })
      .onConflictDoUpdate({
        target: tenantIntuitSettings.tenantId,
        set: {
          environment: update.environment,
          ...(update.redirectUri !== undefined ? { redirectUri: update.redirectUri } : {}),
          updatedAt: now,
          updatedByUserId: actorUserId,
        },
      });

    const after = await intuitAppFor(tenantId, undefined, tx);
    const appChanged = beforeApp.clientId !== after.clientId || beforeApp.clientSecret !== after.clientSecret;
    if (appChanged) await invalidateConnection(tx, tenantId, update.environment, actorUserId, now, meta);
    await recordAudit(tx, {
      tenantId,
      actorUserId,
      action: "credentials.changed",
      target: `intuit_credentials:${update.environment}`,
      outcome: "success",
      details: {
        environment: update.environment,
        environmentChanged: before.environment !== after.environment,
        clientIdChanged: beforeApp.clientId !== after.clientId,
        secretChanged: beforeApp.clientSecret !== after.clientSecret,
        secretLast4: update.clientSecret ? update.clientSecret.slice(-4) : null,
        credentialsCleared: !!update.clearCredentials,
        redirectUri: after.redirectUri,
        connectionInvalidated: appChanged,
      },
      meta,
    });
  });
}

/** The old app's tokens are someone else's now: a connection holding them must be authorized again. */
async function invalidateConnection(tx: Transaction, tenantId: string, environment: IntuitEnvironment, actorUserId: string, at: Date, meta?: RequestMeta) {
  const row = await lockConnection(tx, tenantId, environment);
  if (!row || !holdsGrant(row.status)) return;
  await transitionConnection(tx, row, "reauthorization_required", "credentials_changed", { at, actor: { userId: actorUserId }, meta });
}
