import "server-only";
import { and, asc, eq, inArray, like } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { intuitAppPlans, intuitCredentials, tenants } from "@/db/schema";
import { PLATFORM_APP_KEY, tenantOfAppKey } from "../app-key";

/** An Intuit app whose reads are metered apart: the platform's, or a tenant's own. */
export interface IntuitAppRef {
  appKey: string;
  /** The tenant whose own app it is; null for the platform's. */
  tenantId: string | null;
  tenantName: string | null;
}

/**
 * The app a tenant's metered reads count against: its own production app when its admin entered one (the same
 * choice the API client makes for production, lib/quickbooks/client/intuit-app.ts), else the platform's. Sandbox
 * reads are never metered, so a tenant's sandbox credentials do not make an app of their own here.
 */
export async function appOfTenant(tenantId: string, executor: Executor = db()): Promise<IntuitAppRef> {
  const [row] = await executor
    .select({ name: tenants.name, ownApp: intuitCredentials.clientId })
    .from(tenants)
    .leftJoin(intuitCredentials, and(eq(intuitCredentials.tenantId, tenants.id), eq(intuitCredentials.environment, "production")))
    .where(eq(tenants.id, tenantId));
  if (row?.ownApp) return { appKey: `tenant:${tenantId}`, tenantId, tenantName: row.name };
  return { appKey: PLATFORM_APP_KEY, tenantId: null, tenantName: null };
}

/** The app a key names, or null when it names a tenant that does not exist (or is no key at all). */
export async function findIntuitApp(appKey: string): Promise<IntuitAppRef | null> {
  if (appKey === PLATFORM_APP_KEY) return { appKey, tenantId: null, tenantName: null };
  const tenantId = tenantOfAppKey(appKey);
  if (!tenantId || !UUID.test(tenantId)) return null;
  const [row] = await db().select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  return row ? { appKey, tenantId, tenantName: row.name } : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Every Intuit app there is to watch: the platform's, then each tenant's own (tenants with production credentials,
 * or whose app has a plan set), by tenant name.
 */
export async function listIntuitApps(): Promise<IntuitAppRef[]> {
  const [withCredentials, withPlans] = await Promise.all([
    db().select({ tenantId: intuitCredentials.tenantId }).from(intuitCredentials).where(eq(intuitCredentials.environment, "production")),
    db().select({ appKey: intuitAppPlans.appKey }).from(intuitAppPlans).where(like(intuitAppPlans.appKey, "tenant:%")),
  ]);
  const ids = new Set([...withCredentials.map((r) => r.tenantId), ...withPlans.map((r) => tenantOfAppKey(r.appKey)).filter((id): id is string => id !== null && UUID.test(id))]);
  const owners =
    ids.size === 0
      ? []
      : await db()
          .select({ id: tenants.id, name: tenants.name })
          .from(tenants)
          .where(inArray(tenants.id, [...ids]))
          .orderBy(asc(tenants.name), asc(tenants.id));
  return [{ appKey: PLATFORM_APP_KEY, tenantId: null, tenantName: null }, ...owners.map((t) => ({ appKey: `tenant:${t.id}`, tenantId: t.id, tenantName: t.name }))];
}

/** How the console names an app to someone who may see it. */
export function appLabel(app: IntuitAppRef): string {
  return app.tenantName === null ? "the platform's Intuit app" : `${app.tenantName}'s own Intuit app`;
}
