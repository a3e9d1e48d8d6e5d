import "server-only";
import { AppError } from "@/lib/errors";
import { getConnectionStatus } from "./get-connection-status";
import { verifyConnection } from "./verify-connection";

/**
 * After Intuit reports a disconnect made inside QuickBooks, test the tenant's connection now rather than at the next
 * sync: the test call's 401, the renewal's invalid_grant, flags the connection "reauthorization required".
 */
export async function detectDisconnect(tenantId: string) {
  const before = await getConnectionStatus(tenantId);
  if (before.connection?.status === "active" || before.connection?.status === "callback_received") {
    try {
      await verifyConnection({ tenantId, actorUserId: null });
    } catch (error) {
      // The outcome is written on the connection; the page shows it through the status below.
      if (!(error instanceof AppError)) throw error;
    }
  }
  return getConnectionStatus(tenantId);
}
