import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { intuitCredentials, tenantIntuitSettings, users } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
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
