import "server-only";
import { getCompanyInfo } from "@/lib/intuit/company-info";
import { IntuitApiError } from "@/lib/intuit/faults";
import { realmIdOfIdToken } from "@/lib/intuit/id-token";
import type { IntuitTokenSet } from "@/lib/intuit/oauth";
import type { IntuitApp } from "./client/intuit-app";
import { callWithToken } from "./client/qbo-client";
import { refusesCompany } from "./rules/intuit-failures";

export type CompanyProofOutcome =
  /** CompanyInfo for the claimed company answered with the new access token. */
  | { kind: "proven"; result: Awaited<ReturnType<typeof getCompanyInfo>> }
  /** The tokens do not open the claimed company (401/403, or an ID token naming another). */
  | { kind: "refused" }
  /** QuickBooks could not be asked (outage, timeout, throttling past the retries): nothing is known yet. */
  | { kind: "unconfirmed"; error: IntuitApiError };

/**
 * Whether freshly exchanged tokens open the company the callback's query string names. Intuit's token answer does not
 * name the company, and the browser carries the realmId and can change it: only Intuit opening the company to these
 * tokens makes the claim true. An ID token, when present, must name the same company (its `realmid` claim).
 */
export async function proveCompany(
  app: IntuitApp,
  claim: { tenantId: string; realmId: string; actorUserId: string | null },
  tokens: IntuitTokenSet,
): Promise<CompanyProofOutcome> {
  if (tokens.idToken !== null && realmIdOfIdToken(tokens.idToken) !== claim.realmId) return { kind: "refused" };
  try {
    const result = await callWithToken(
      { tenantId: claim.tenantId, app, actorUserId: claim.actorUserId, cause: "user" },
      { accessToken: tokens.accessToken, realmId: claim.realmId },
      "companyinfo",
      getCompanyInfo,
    );
    return { kind: "proven", result };
  } catch (error) {
    if (!(error instanceof IntuitApiError)) throw error;
    return refusesCompany(error) ? { kind: "refused" } : { kind: "unconfirmed", error };
  }
}
