import "server-only";
import type { Actor } from "@/lib/auth/session";
import { allows } from "@/lib/auth/permissions";
import { AppError, forbidden } from "@/lib/errors";
import { PLATFORM_APP_KEY } from "./app-key";
import { appOfTenant, findIntuitApp, type IntuitAppRef } from "./store/intuit-apps";

/**
 * What one person may see of Intuit's metered reads, decided here once for the page and its CSV:
 * - the platform operator: any app (the platform's unless another is asked for), the whole app, its top tenants;
 * - anyone else allowed to read usage (a tenant's admin): the app their active tenant uses, the app-wide totals of
 *   that app, and below them only the tenant's own reads. They may not name another app.
 */
export type UsageView =
  | { kind: "operator"; app: IntuitAppRef; viewer: UsageViewer }
  | { kind: "tenant"; app: IntuitAppRef; viewer: UsageViewer; tenantId: string; tenantName: string };

export type UsageViewer = Pick<Actor, "tenantId" | "tenantName" | "role" | "isPlatformOperator">;

export type UsageViewResult = { ok: true; view: UsageView } | { ok: false; reason: "unknown_app" | "forbidden" };

/** The view of `viewer`, for the app named in the request (`?app=platform` or `?app=tenant:<id>`), if any. */
export async function resolveUsageView(viewer: UsageViewer, requestedApp: string | null): Promise<UsageViewResult> {
  const requested = requestedApp === null || requestedApp === "" ? null : requestedApp;
  if (viewer.isPlatformOperator) {
    const app = await findIntuitApp(requested ?? PLATFORM_APP_KEY);
    return app ? { ok: true, view: { kind: "operator", app, viewer } } : { ok: false, reason: "unknown_app" };
  }
  const app = await appOfTenant(viewer.tenantId);
  if (requested !== null && requested !== app.appKey) return { ok: false, reason: "forbidden" };
  return { ok: true, view: { kind: "tenant", app, viewer, tenantId: viewer.tenantId, tenantName: viewer.tenantName } };
}

/** Where the viewer sets an app's plan, or null when they may not: the operator the platform's, an admin their own. */
export function planRouteFor(app: IntuitAppRef, viewer: UsageViewer): string | null {
  if (app.tenantId === null) return allows(viewer, "platform.plan.manage") ? "/api/quickbooks/usage/platform-plan" : null;
  return app.tenantId === viewer.tenantId && allows(viewer, "usage.plan.manage") ? "/api/quickbooks/usage/plan" : null;
}

/** The rows a view's breakdowns (chart, operations, CSV) cover: the whole app for the operator, else the tenant's. */
export function breakdownScopeOf(view: UsageView): { appKey: string; tenantId?: string } {
  return view.kind === "operator" ? { appKey: view.app.appKey } : { appKey: view.app.appKey, tenantId: view.tenantId };
}

/** The view, or the route's refusal: 404 for an app that does not exist, 403 for another tenant's app. */
export async function requireUsageView(viewer: UsageViewer, requestedApp: string | null): Promise<UsageView> {
  const result = await resolveUsageView(viewer, requestedApp);
  if (result.ok) return result.view;
  if (result.reason === "unknown_app") throw new AppError("unknown_app", 404, "There is no such Intuit app.");
  throw forbidden("Only the platform operator sees the usage of other Intuit apps than the one this tenant uses.");
}
