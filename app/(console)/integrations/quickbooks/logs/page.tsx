import type { Metadata } from "next";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/ui/LocalTime";
import { latestCallbackLogs, latestRefreshLogs } from "@/lib/audit/log-queries";
import { RetryDeadEvents } from "@/components/quickbooks/RetryDeadEvents";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { deadWebhookEvents, latestWebhookDeliveries } from "@/lib/quickbooks/webhook-deliveries";

export const metadata: Metadata = { title: "QuickBooks logs" };

const TRIGGER_LABEL = { on_demand: "On demand", unauthorized: "After a 401", scheduled: "Scheduled", manual: "Manual" } as const;

export default async function LogsPage() {
  const actor = await requirePageActor("logs.read");
  const { tenantId, tenantName } = actor;
  const canRetry = can(actor.role, "webhooks.manage");
  const [callbacks, refreshes, deliveries, dead] = await Promise.all([
    latestCallbackLogs(tenantId),
    latestRefreshLogs(tenantId),
    latestWebhookDeliveries(tenantId),
    deadWebhookEvents(tenantId),
  ]);

  return (
    <div className="space-y-10">
      <div>
        <h1 className="text-2xl font-semibold">QuickBooks logs</h1>
        <p className="mt-1 text-sm text-slate-600">The latest 100 entries of each log for {tenantName}. No log holds a code, token or secret.</p>
      </div>

      <LogTable
        title="Callback log"
        empty="No callback yet."
        headers={["Time", "Outcome", "Code", "Message", "User", "Realm", "Intuit tid", "Latency"]}
        rows={callbacks.map((r) => [
          <LocalTime key="t" iso={r.createdAt.toISOString()} />,
          <Outcome key="o" value={r.outcome} />,
          r.errorCode ?? "",
          r.message,
          r.userEmail ?? "",
          r.realmId ?? "",
          r.intuitTid ?? "",
          `${r.latencyMs} ms`,
        ])}
      />

      <LogTable
        title="Refresh-token log"
        empty="No token renewal yet."
        headers={["Time", "Trigger", "Outcome", "Code", "Message", "Access token until", "Refresh token until", "Rotated", "Intuit tid", "Duration"]}
        rows={refreshes.map((r) => [
          <LocalTime key="t" iso={r.createdAt.toISOString()} />,
          TRIGGER_LABEL[r.trigger],
          <Outcome key="o" value={r.outcome} />,
          r.errorCode ?? "",
          r.message,
          r.newAccessExpiresAt ? <LocalTime key="a" iso={r.newAccessExpiresAt.toISOString()} /> : "",
          r.newRefreshExpiresAt ? <LocalTime key="r" iso={r.newRefreshExpiresAt.toISOString()} /> : "",
          r.refreshTokenRotated ? "yes" : "no",
          r.intuitTid ?? "",
          `${r.durationMs} ms`,
        ])}
      />

      <LogTable
        title="Webhook delivery log"
        empty="No webhook delivery yet."
        headers={["Received", "Status", "Signature", "Format", "Realms", "Events", "New", "Max delay", "HTTP", "Error"]}
        rows={deliveries.map((d) => [
          <LocalTime key="t" iso={d.receivedAt.toISOString()} />,
          <Outcome key="s" value={d.status === "accepted" ? "success" : "failure"} label={d.status.replaceAll("_", " ")} />,
          d.signature,
          d.format ?? "",
          d.realmIds.join(", "),
          String(d.eventCount),
          String(d.newEventCount),
          d.maxDelayMs === null ? "" : `${(d.maxDelayMs / 1000).toFixed(1)} s`,
          String(d.httpStatus),
          d.error ?? "",
        ])}
      />

      <section aria-labelledby="dead-title" className="space-y-3">
        <h2 id="dead-title" className="text-lg font-semibold">
          Webhook events that could not be processed
        </h2>
        {dead.length === 0 ? (
          <p className="text-sm text-slate-600">None: every event was processed or is waiting for its next attempt.</p>
        ) : (
          <>
            <p className="text-sm text-slate-700">
              {dead.length} event(s) failed {dead[0]!.attempts} times and stopped retrying. Fix the cause, then retry them.
            </p>
            {canRetry && <RetryDeadEvents count={dead.length} />}
            <ul className="list-disc pl-5 text-sm">
              {dead.map((e) => (
                <li key={e.id}>
                  {e.entity} {e.entityId} ({e.operation}) — {e.lastError}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  );
}

function Outcome({ value, label }: { value: string; label?: string }) {
  const style = value === "success" ? "bg-green-100 text-green-800" : value === "failure" ? "bg-red-100 text-red-800" : "bg-slate-100 text-slate-700";
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${style}`}>{label ?? value}</span>;
}

function LogTable({ title, headers, rows, empty }: { title: string; headers: string[]; rows: ReactNode[][]; empty: string }) {
  const id = title.toLowerCase().replaceAll(/[^a-z]+/g, "-");
  return (
    <section aria-labelledby={id} className="space-y-3">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">{empty}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">{title}</caption>
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                {headers.map((h) => (
                  <th key={h} scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((cells, i) => (
                <tr key={i}>
                  {cells.map((cell, j) => (
                    <td key={j} className="px-3 py-2 align-top">
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
