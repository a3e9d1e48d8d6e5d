import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { db, type Transaction } from "@/db";
import { intuitCredentials, quickbooksConnections, tenantIntuitSettings, users } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { AppError } from "@/lib/errors";
import { env, type IntuitEnvironment } from "@/lib/env";
import { callbackRoute, intuitAppFor } from "./client/intuit-app";
import { intuitPortalUrls } from "./client/portal-urls";

/** What an admin sees of the tenant's Intuit settings: never the secret, only its last four characters. */
export interface IntuitSettingsView {
  environment: IntuitEnvironment;
  redirectUri: string;
  redirectUriOverridden: boolean;
  expectedRedirectUri: string;
  credentials: { environment: IntuitEnvironment; clientId: string; secretLast4: string; setAt: string; setBy: string | null }[];
  platform: { environment: IntuitEnvironment; credentialsSet: boolean };
  activeCredentialsSource: "tenant" | "platform" | "none";
  portalUrls: ReturnType<typeof intuitPortalUrls>;
}

/** Reads the settings; every view is in the access history, since it shows who set which credentials. */
export async function getIntuitSettings(tenantId: string, actorUserId: string, meta?: RequestMeta): Promise<IntuitSettingsView> {
  const app = await intuitAppFor(tenantId);
  const [settings] = await db().select().from(tenantIntuitSettings).where(eq(tenantIntuitSettings.tenantId, tenantId));
  const credentials = await db()
    .select({
      environment: intuitCredentials.environment,
      clientId: intuitCredentials.clientId,
      secretLast4: intuitCredentials.secretLast4,
      setAt: intuitCredentials.setAt,
      setBy: users.email,
    })
    .from(intuitCredentials)
    .leftJoin(users, eq(users.id, intuitCredentials.setByUserId))
    .where(eq(intuitCredentials.tenantId, tenantId));
  await recordAudit(db(), { tenantId, actorUserId, action: "credentials.viewed", target: "intuit_credentials", outcome: "success", meta });
  return {
    environment: app.environment,
    redirectUri: app.redirectUri,
    redirectUriOverridden: !!settings?.redirectUri,
    expectedRedirectUri: callbackRoute(),
    credentials: credentials.map((c) => ({ ...c, setAt: c.setAt.toISOString() })),
    platform: { environment: env().intuit.environment, credentialsSet: env().intuit.clientId !== "" },
    activeCredentialsSource: app.credentialsSource,
    portalUrls: intuitPortalUrls(),
  };
}

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
 * Saves the tenant's environment, credentials and redirect URI. Changing the Intuit app (or the environment) makes
 * the current connection's tokens someone else's: the connection is flagged for reauthorization, so every check
 * that relied on it re-runs after the reconnect.
 */
export async function updateIntuitSettings(tenantId: string, actorUserId: string, update: SettingsUpdate, meta?: RequestMeta) {
  const now = new Date();
  await db().transaction(async (tx) => {
    const before = await intuitAppFor(tenantId, undefined, tx);
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
    const appChanged = before.clientId !== after.clientId || before.clientSecret !== after.clientSecret || before.environment !== after.environment;
    if (appChanged) await invalidateConnection(tx, tenantId, before.environment, now);
    await recordAudit(tx, {
      tenantId,
      actorUserId,
      action: "credentials.changed",
      target: `intuit_credentials:${update.environment}`,
      outcome: "success",
      details: {
        environment: update.environment,
        environmentChanged: before.environment !== after.environment,
        clientIdChanged: before.clientId !== after.clientId,
        secretChanged: before.clientSecret !== after.clientSecret,
        secretLast4: update.clientSecret ? update.clientSecret.slice(-4) : null,
        credentialsCleared: !!update.clearCredentials,
        redirectUri: after.redirectUri,
        connectionInvalidated: appChanged,
      },
      meta,
    });
  });
}

async function invalidateConnection(tx: Transaction, tenantId: string, environment: IntuitEnvironment, now: Date) {
  await tx
    .update(quickbooksConnections)
    .set({
      status: "reauthorization_required",
      lastErrorStep: "refresh",
      lastErrorCode: "credentials_changed",
      lastErrorMessage: "Reauthorization required: the Intuit app's credentials changed. Reconnect so the tokens come from the new app.",
      lastErrorAt: now,
      updatedAt: now,
    })
    .where(and(eq(quickbooksConnections.tenantId, tenantId), eq(quickbooksConnections.environment, environment), inArray(quickbooksConnections.status, ["active", "callback_received", "verified"])));
}
