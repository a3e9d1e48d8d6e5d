import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { intuitCredentials, tenantIntuitSettings, tenants } from "@/db/schema";
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
  // One statement: the tenant's settings, and its own credentials for the environment chosen from them.
  const chosen = environment ? sql`${environment}::intuit_environment` : sql`coalesce(${tenantIntuitSettings.environment}, ${platform.intuit.environment}::intuit_environment)`;
  const [row] = await executor
    .select({
      environment: sql<IntuitEnvironment>`${chosen}`,
      redirectUri: tenantIntuitSettings.redirectUri,
      clientId: intuitCredentials.clientId,
      clientSecretEnc: intuitCredentials.clientSecretEnc,
    })
    .from(tenants)
    .leftJoin(tenantIntuitSettings, eq(tenantIntuitSettings.tenantId, tenants.id))
    .leftJoin(intuitCredentials, and(eq(intuitCredentials.tenantId, tenants.id), sql`${intuitCredentials.environment} = ${chosen}`))
    .where(eq(tenants.id, tenantId));
  if (!row) return intuitAppOf(environment ?? platform.intuit.environment, null, null);
  const own = row.clientId !== null && row.clientSecretEnc !== null ? { clientId: row.clientId, clientSecretEnc: row.clientSecretEnc } : null;
  return intuitAppOf(row.environment, { redirectUri: row.redirectUri }, own);
}

/**
 * The app from the rows read: `environment` is the one chosen (the caller's, else the tenant's, else the platform's),
 * `own` the tenant's credentials for that environment. For loaders that read the rows in a statement of their own.
 */
export function intuitAppOf(
  environment: IntuitEnvironment,
  settings: Pick<typeof tenantIntuitSettings.$inferSelect, "redirectUri"> | null,
  own: Pick<typeof intuitCredentials.$inferSelect, "clientId" | "clientSecretEnc"> | null,
): IntuitApp {
  const platform = env();
  const platformApplies = environment === platform.intuit.environment && platform.intuit.clientId !== "";
  const credentials = own
    ? { clientId: own.clientId, clientSecret: tokenCipher().decrypt(own.clientSecretEnc), credentialsSource: "tenant" as const }
    : platformApplies
      ? { clientId: platform.intuit.clientId, clientSecret: platform.intuit.clientSecret, credentialsSource: "platform" as const }
      : { clientId: "", clientSecret: "", credentialsSource: "none" as const };
  return {
    environment,
    ...credentials,
    ...intuitEndpointsFor(platform, environment),
    redirectUri: settings?.redirectUri ?? platform.intuit.redirectUri,
    expectedRedirectUri: callbackRoute(),
  };
}
