import type { Metadata } from "next";
import Link from "next/link";
import { SyncIndicator } from "@/components/quickbooks/SyncIndicator";
import { currentActor } from "@/lib/auth/session";
import { detectDisconnect } from "@/lib/quickbooks/detect-disconnect";

export const metadata: Metadata = { title: "QuickBooks disconnected" };
export const dynamic = "force-dynamic";

/**
 * Intuit's Disconnect URL: where QuickBooks sends the browser after someone disconnects the app inside QuickBooks.
 * Intuit sends no server-to-server notice, so a signed-in visitor's connection is checked right here.
 */
export default async function DisconnectedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const realm = (await searchParams).realmId;
  const realmId = typeof realm === "string" && /^\d{1,32}$/.test(realm) ? realm : null;
  const reconnect = `/quickbooks/reconnect${realmId ? `?realmId=${realmId}` : ""}`;
  const actor = await currentActor();
  const status = actor ? await detectDisconnect(actor.tenantId) : null;

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
            Connection of <strong>{actor.tenantName}</strong>:
          </p>
          <SyncIndicator indicator={status.indicator} reasons={status.reasons} />
          <div className="flex flex-wrap gap-3">
            {/* A plain link, not <Link>: Next would prefetch the route handler, which starts an authorization. */}
            <a href={reconnect} className="rounded-md bg-intuit px-5 py-2.5 font-semibold text-white hover:bg-intuit-dark">
              Reconnect to QuickBooks
            </a>
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
