import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ReconnectButton } from "@/components/quickbooks/ReconnectButton";
import { currentActor } from "@/lib/auth/session";
import { findReconnectTarget } from "@/lib/quickbooks/find-reconnect-target";

export const metadata: Metadata = { title: "Reconnect QuickBooks" };
export const dynamic = "force-dynamic";

const REALM_ID = /^\d{1,32}$/;

/**
 * Intuit's Reconnect URL. A GET that any link can trigger, so it only reads: it shows which tenant (and company) a
 * reconnect is for and asks for one click. The click (POST /api/quickbooks/reconnect) switches the session to that
 * tenant if it acts for another, and starts the authorization.
 */
export default async function ReconnectPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const realm = params.realmId ?? params.realmid;
  const realmId = typeof realm === "string" && REALM_ID.test(realm) ? realm : null;
  const actor = await currentActor();
  if (!actor) redirect(`/login?callbackUrl=${encodeURIComponent(`/quickbooks/reconnect${realmId ? `?realmId=${realmId}` : ""}`)}`);
  const target = await findReconnectTarget(actor, realmId);

  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-12">
      <h1 className="text-2xl font-semibold">Reconnect QuickBooks</h1>
      {target ? (
        <>
          <p className="text-slate-700">
            This reconnects <strong data-testid="reconnect-tenant">{target.actor.tenantName}</strong> to QuickBooks Online
            {target.connection?.companyName || target.connection?.realmId ? (
              <>
                {" "}
                (company <strong>{target.connection.companyName ?? "not verified yet"}</strong>
                {target.connection.realmId && (
                  <>
                    , realm id <span className="font-mono">{target.connection.realmId}</span>
                  </>
                )}
                )
              </>
            ) : null}
            . Intuit asks you to confirm the company next.
          </p>
          {target.actor.tenantId !== actor.tenantId && (
            <p role="note" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
              Your session acts for <strong>{actor.tenantName}</strong> now. Reconnecting switches it to <strong>{target.actor.tenantName}</strong>;
              pages still open for {actor.tenantName} will ask you to reload.
            </p>
          )}
          <ReconnectButton tenantId={target.actor.tenantId} />
        </>
      ) : (
        <p className="text-slate-700">
          Your role does not allow connecting QuickBooks for <strong>{actor.tenantName}</strong>. Ask an accountant or an admin of the tenant.
        </p>
      )}
      <Link href="/integrations/quickbooks" className="inline-block text-sm font-medium text-blue-700 underline">
        Open the console instead
      </Link>
    </main>
  );
}
