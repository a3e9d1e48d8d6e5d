import "server-only";
import type { Executor } from "@/db";
import { tokenRevocations } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";

export interface RevocationRequest {
  /** The row's id, chosen before it is written: the token is sealed bound to it. */
  id: string;
  tenantId: string;
  environment: IntuitEnvironment;
  realmId: string | null;
  /**
   * The grant's refresh (or access) token, sealed for this row (sealForRevocation in client/access-token.ts gives both
   * the id and the token): Intuit revokes the whole grant with either token.
   */
  tokenEnc: string;
  requestedByUserId: string | null;
}

/**
 * Keeps a grant the app lets go of for its revocation at Intuit, in the transaction that lets it go: the revocation
 * is then tried at once and, when Intuit cannot be reached, again by the revocation-retry sweep. Returns its id.
 */
export async function queueRevocation(executor: Executor, request: RevocationRequest): Promise<string> {
  const [row] = await executor.insert(tokenRevocations).values(request).returning({ id: tokenRevocations.id });
  return row!.id;
}
