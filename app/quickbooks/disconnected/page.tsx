import type { Metadata } from "next";
import Link from "next/link";
import { ConnectionCheck } from "@/components/quickbooks/ConnectionCheck";
import { can } from "@/lib/auth/permissions";
import { currentActor } from "@/lib/auth/session";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";

export const metadata: Metadata = { title: "QuickBooks disconnected" };
export const dynamic = "force-dynamic";

/**
 * Intuit's Disconnect URL: where QuickBooks sends the browser after someone disconnects the app inside QuickBooks.
 * Intuit sends no server-to-server notice. This GET only reads (any link can trigger it): it shows the connection as
 * stored; "Check the connection now" (roles that may verify) runs the test call that finds out, as a POST.
 */
export default async function DisconnectedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const realm = (await searchParams).realmId;
  const realmId = typeof realm === "string" && /^\d{1,32}$/.test(realm) ? realm : null;
  const reconnect = `/quickbooks/reconnect${realmId ? `?realmId=${realmId}` : ""}`;
  const actor = await currentActor();
  const status = actor ? await getConnectionStatus(actor.tenantId) : null;

  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-12">
      <h1 className="text-2xl font-semibold">QuickBooks was disconnected</h1>
      <p className="text-slate-700">
        Someone disconnected this app from inside QuickBooks Online. Intuit has revoked the app&apos;s access, so nothing syncs between AWRA and
        QuickBooks until the company is connected again. No data was deleted in either place.
      </p>
      {actor && status ? (
        <>
          <p className="text-sm text-slate-600">
            Connection of <strong>{actor.tenantName}</strong>, as last seen:
          </p>
          <ConnectionCheck tenantId={actor.tenantId} initialStatus={status} canVerify={can(actor.role, "quickbooks.verify")} />
          {!can(actor.role, "quickbooks.connect") && (
            <p className="text-sm text-slate-700">
              Your role cannot connect QuickBooks. Ask an accountant or an admin of <strong>{actor.tenantName}</strong> to reconnect it.
            </p>
          )}
          <div className="flex flex-wrap gap-3">
            {can(actor.role, "quickbooks.connect") && (
              <Link href={reconnect} className="rounded-md bg-intuit px-5 py-2.5 font-semibold text-white hover:bg-intuit-dark">
                Reconnect to QuickBooks
              </Link>
            )}
            <Link href="/integrations/quickbooks" className="rounded-md border border-slate-300 px-5 py-2.5 font-medium hover:bg-slate-100">
              Open the console
            </Link>
          </div>
        </>
      ) : (
        <div className="flex flex-wrap gap-3">
          <Link
            href={`/login?callbackUrl=${encodeURIComponent(reconnect)}`}
            className="rounded-md bg-slate-900 px-5 py-2.5 font-medium text-white hover:bg-slate-700"
          >
            Sign in to reconnect
          </Link>
        </div>
      )}
    </main>
  );
}
