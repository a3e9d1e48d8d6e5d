import "server-only";
import { and, eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { intuitCredentials, tenantIntuitSettings } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { env, intuitEndpointsFor, type IntuitEnvironment } from "@/lib/env";

/** The Intuit app a tenant connects through: endpoints come from the discovery document, never hard-coded. */
export interface IntuitApp {
  environment: IntuitEnvironment;
  clientId: string;
  clientSecret: string;
  /** Whose credentials these are: the tenant's own (entered by its admin), the platform's, or nobody's. */
  credentialsSource: "tenant" | "platform" | "none";
  discoveryUrl: string;
  apiBaseUrl: string;
  /** The redirect URI registered with Intuit and sent in the authorization request. */
  redirectUri: string;
  /** The app's own callback route: what the redirect URI must be for Intuit to reach us. */
  expectedRedirectUri: string;
}

export const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

export function callbackRoute(): string {
  return `${env().appUrl}/api/quickbooks/callback`;
}

/**
 * The tenant's Intuit app: its chosen environment (the platform's by default), its own credentials for that
 * environment when its admin entered some, else the platform's when they are for that environment.
 */
export async function intuitAppFor(tenantId: string, environment?: IntuitEnvironment, executor: Executor = db()): Promise<IntuitApp> {
  const platform = env();
  const [settings] = await executor.select().from(tenantIntuitSettings).where(eq(tenantIntuitSettings.tenantId, tenantId));
  const chosen = environment ?? settings?.environment ?? platform.intuit.environment;
  const [own] = await executor
    .select()
    .from(intuitCredentials)
    .where(and(eq(intuitCredentials.tenantId, tenantId), eq(intuitCredentials.environment, chosen)));
  const platformApplies = chosen === platform.intuit.environment && platform.intuit.clientId !== "";
  const credentials = own
    ? { clientId: own.clientId, clientSecret: tokenCipher().decrypt(own.clientSecretEnc), credentialsSource: "tenant" as const }
    : platformApplies
      ? { clientId: platform.intuit.clientId, clientSecret: platform.intuit.clientSecret, credentialsSource: "platform" as const }
      : { clientId: "", clientSecret: "", credentialsSource: "none" as const };
  return {
    environment: chosen,
    ...credentials,
    ...intuitEndpointsFor(platform, chosen),
    redirectUri: settings?.redirectUri ?? platform.intuit.redirectUri,
    expectedRedirectUri: callbackRoute(),
  };
}
