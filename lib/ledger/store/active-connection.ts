import "server-only";
import { db } from "@/db";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { notConnected } from "@/lib/quickbooks/errors";
import { findConnection } from "@/lib/quickbooks/store/connections";

// Which QuickBooks company the ledger works with: the tenant's chosen environment (unless the caller names one) and
// that environment's active connection. Syncs, validations and reconciliations all start here.

export interface ChartConnection {
  tenantId: string;
  environment: IntuitEnvironment;
  realmId: string;
}

/** The active connection and what its last Verify learnt of the company. */
export interface ActiveConnection extends ChartConnection {
  /** CompanyInfo FiscalYearStartMonth (1–12) as the last Verify stored it; null when unknown. */
  fiscalYearStartMonth: number | null;
}

/** The environment the caller named, else the tenant's chosen one. */
export async function chosenEnvironment(tenantId: string, environment?: IntuitEnvironment): Promise<IntuitEnvironment> {
  return environment ?? (await intuitAppFor(tenantId)).environment;
}

/** The tenant's active connection in that environment (its chosen one by default), or a clear error. */
export async function activeConnectionFor(tenantId: string, environment?: IntuitEnvironment): Promise<ActiveConnection> {
  const app = await intuitAppFor(tenantId, environment);
  const connection = await findConnection(db(), tenantId, app.environment);
  if (!connection || connection.status !== "active" || !connection.realmId) {
    throw new AppError(notConnected().code, 409, `There is no active ${app.environment} connection to QuickBooks. Connect and verify it first.`);
  }
  return { tenantId, environment: app.environment, realmId: connection.realmId, fiscalYearStartMonth: connection.fiscalYearStartMonth };
}
