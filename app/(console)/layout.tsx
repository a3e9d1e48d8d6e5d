import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { headers } from "next/headers";
import { UsageAlertBanner } from "@/components/quickbooks/UsageAlertBanner";
import { TenantMismatchAlert } from "@/components/ui/TenantMismatchAlert";
import { allows, type Action } from "@/lib/auth/permissions";
import { resolveSession } from "@/lib/auth/session";
import { listUserTenants } from "@/lib/auth/list-user-tenants";
import type { Membership } from "@/lib/auth/users";
import { unreadCount } from "@/lib/notifications/inbox";
import { listUsageAlertNotices } from "@/lib/usage/list-usage-alerts";
import { signOutAction, switchTenantAction } from "./actions";

export const dynamic = "force-dynamic";

const NAV: { href: string; label: string; action: Action }[] = [
  { href: "/integrations/quickbooks", label: "Connection", action: "quickbooks.status.read" },
  { href: "/integrations/quickbooks/readiness", label: "Readiness", action: "quickbooks.status.read" },
  { href: "/integrations/quickbooks/health", label: "Health", action: "health.read" },
  { href: "/integrations/quickbooks/usage", label: "Usage", action: "usage.read" },
  { href: "/integrations/quickbooks/mappings", label: "Mappings", action: "mappings.read" },
  { href: "/integrations/quickbooks/reconciliation", label: "Reconciliation", action: "mappings.read" },
  { href: "/integrations/quickbooks/logs", label: "Logs", action: "logs.read" },
  { href: "/integrations/quickbooks/settings", label: "Settings", action: "credentials.manage" },
  { href: "/integrations/quickbooks/tenants", label: "All tenants", action: "tenants.overview" },
  { href: "/integrations/quickbooks/api-keys", label: "API keys", action: "apikeys.manage" },
];

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await resolveSession(new Headers(await headers()));
  if (session.kind === "signed_out") redirect("/login");
  if (session.kind === "no_membership") return <NoTenantAccess memberships={await listUserTenants(session.userId)} />;
  const { actor } = session;
  const [memberships, usageAlerts, unread] = await Promise.all([listUserTenants(actor.userId), listUsageAlertNotices(actor), unreadCount(actor.tenantId, actor.userId)]);

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
            <Link href="/integrations/quickbooks" className="font-semibold">
              QuickBooks Connect
            </Link>
            <nav aria-label="Main">
              <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
                {NAV.filter((item) => allows(actor, item.action)).map((item) => (
                  <li key={item.href}>
                    <Link href={item.href} className="text-slate-700 hover:text-slate-950">
                      {item.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <Link
              href="/integrations/quickbooks/notifications"
              className="inline-flex items-center gap-1.5 rounded border border-slate-300 px-2 py-1 hover:bg-slate-100"
              aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
              data-testid="notifications-button"
              data-unread={unread}
            >
              Notifications
              {unread > 0 && (
                <span aria-hidden="true" className="rounded-full bg-red-700 px-1.5 text-xs font-semibold text-white">
                  {unread > 99 ? "99+" : unread}
                </span>
              )}
            </Link>
            {memberships.length > 1 ? (
              <form action={switchTenantAction} className="flex items-center gap-2">
                <label htmlFor="tenant-switcher" className="text-slate-600">
                  Tenant
                </label>
                <select id="tenant-switcher" name="tenantId" defaultValue={actor.tenantId} className="rounded border border-slate-300 px-2 py-1">
                  {memberships.map((m) => (
                    <option key={m.tenantId} value={m.tenantId}>
                      {m.tenantName} ({m.role})
                    </option>
                  ))}
                </select>
                <button type="submit" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
                  Switch
                </button>
              </form>
            ) : (
              <span className="text-slate-700">{actor.tenantName}</span>
            )}
            <span className="text-slate-500">
              {actor.email} · {actor.role}
              {actor.isPlatformOperator ? " · platform operator" : ""}
            </span>
            <form action={signOutAction}>
              <button type="submit" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-8">
        <TenantMismatchAlert />
        <UsageAlertBanner notices={usageAlerts} />
        {children}
      </main>
    </div>
  );
}

/** The session points at a tenant the user no longer belongs to: say so, and offer the tenants they do have. */
function NoTenantAccess({ memberships }: { memberships: Membership[] }) {
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <h1 className="text-xl font-semibold">You no longer have access to this tenant</h1>
      <p className="mt-2 text-sm text-slate-700">An admin may have removed your membership.</p>
      {memberships.length > 0 ? (
        <form action={switchTenantAction} className="mt-4 flex items-center gap-2">
          <label htmlFor="tenant-switcher" className="text-sm">
            Tenant
          </label>
          <select id="tenant-switcher" name="tenantId" className="rounded border border-slate-300 px-2 py-1">
            {memberships.map((m) => (
              <option key={m.tenantId} value={m.tenantId}>
                {m.tenantName} ({m.role})
              </option>
            ))}
          </select>
          <button type="submit" className="rounded border border-slate-300 px-2 py-1">
            Switch
          </button>
        </form>
      ) : (
        <p className="mt-2 text-sm text-slate-700">You belong to no tenant. Ask an admin to add you.</p>
      )}
      <form action={signOutAction} className="mt-6">
        <button type="submit" className="rounded border border-slate-300 px-2 py-1">
          Sign out
        </button>
      </form>
    </main>
  );
}
