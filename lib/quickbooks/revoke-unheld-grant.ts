import "server-only";
import { db } from "@/db";
import type { RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { attemptRevocation, type RevocationOutcome } from "./attempt-revocation";
import { sealForRevocation } from "./client/access-token";
import { queueRevocation } from "./store/token-revocations";

export interface RevokeUnheldGrantOptions {
  tenantId: string;
  environment: IntuitEnvironment;
  /** The company the grant was claimed for, for the revocation's record. */
  realmId: string;
  /** The grant's refresh token, as Intuit just handed it over: never stored on a connection. */
  refreshToken: string;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/**
 * Revokes at Intuit a grant the app received but will not hold: the tokens do not open the company the callback
 * claimed, or another tenant took that company first. Kept (sealed) for its revocation like a disconnect's, so that an
 * Intuit outage is retried by the sweep instead of leaving a live grant behind; then tried at once.
 */
export async function revokeUnheldGrant(options: RevokeUnheldGrantOptions): Promise<RevocationOutcome> {
  const revocationId = await queueRevocation(db(), {
    ...sealForRevocation(options.tenantId, { refreshToken: options.refreshToken })!,
    tenantId: options.tenantId,
    environment: options.environment,
    realmId: options.realmId,
    requestedByUserId: options.actorUserId,
  });
  return attemptRevocation(revocationId, options.actorUserId, options.meta);
}
