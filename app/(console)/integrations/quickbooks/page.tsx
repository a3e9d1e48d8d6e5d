import type { Metadata } from "next";
import { ConnectionConsole } from "@/components/quickbooks/ConnectionConsole";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";
import { CALLBACK_MESSAGES } from "@/lib/quickbooks/rules/messages";
import { testWebhooksAvailable } from "@/lib/quickbooks/send-test-webhook";

export const metadata: Metadata = { title: "QuickBooks connection" };

const GOOD_OUTCOMES = new Set(["connected"]);

export default async function QuickBooksConsolePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor("quickbooks.status.read");
  const status = await getConnectionStatus(actor.tenantId);
  const outcome = (await searchParams).callback;
  const flash = typeof outcome === "string" ? CALLBACK_MESSAGES[outcome] : undefined;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">QuickBooks Online</h1>
        <p className="mt-1 text-sm text-slate-600">
          Connect {actor.tenantName} to its QuickBooks Online company: authorize at Intuit, receive the callback, verify with a test call, and
          the connection becomes active.
        </p>
      </div>
      {flash && typeof outcome === "string" && (
        <p
          data-testid="callback-message"
          data-outcome={outcome}
          className={`rounded-md px-4 py-3 text-sm ${GOOD_OUTCOMES.has(outcome) ? "bg-green-50 text-green-900" : "bg-amber-50 text-amber-900"}`}
        >
          {flash}
        </p>
      )}
      <ConnectionConsole
        tenantId={actor.tenantId}
        initialStatus={status}
        permissions={{
          testWebhook: can(actor.role, "webhooks.manage") && testWebhooksAvailable(status.app.environment),
          connect: can(actor.role, "quickbooks.connect"),
          verify: can(actor.role, "quickbooks.verify"),
          refresh: can(actor.role, "quickbooks.refresh"),
          disconnect: can(actor.role, "quickbooks.disconnect"),
        }}
      />
    </div>
  );
}
