import "server-only";
import { env, type IntuitEnvironment } from "@/lib/env";

/** The Intuit app a tenant connects through: endpoints come from the discovery document, never hard-coded. */
export interface IntuitApp {
  environment: IntuitEnvironment;
  clientId: string;
  clientSecret: string;
  discoveryUrl: string;
  apiBaseUrl: string;
  redirectUri: string;
}

export const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

/** The platform's Intuit app from the environment. (Per-tenant credentials are layered on top of this later.) */
export function intuitAppFor(_tenantId: string): IntuitApp {
  const { environment, clientId, clientSecret, discoveryUrl, apiBaseUrl, redirectUri } = env().intuit;
  return { environment, clientId, clientSecret, discoveryUrl, apiBaseUrl, redirectUri };
}
