import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { RetryDeadEvents } from "@/components/quickbooks/RetryDeadEvents";
import { requestMetaFromHeaders } from "@/lib/audit/record";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { LOG_COLUMNS, LOG_NAMES, cellText, type LogColumn, type LogName, type RawValue } from "@/lib/logs/columns";
import { LOG_OUTCOMES, logHasActor } from "@/lib/logs/log-query";
import { PAGE_SIZE } from "@/lib/logs/read-log-page";
import { viewLogs, type LogSectionView } from "@/lib/logs/view-logs";
import { deadWebhookEvents } from "@/lib/quickbooks/store/webhook-deliveries";

export const metadata: Metadata = { title: "QuickBooks logs" };

const TITLES: Record<LogName, string> = {
  callback: "Callback log",
  refresh: "Refresh-token log",
  webhook: "Webhook delivery log",
  access: "Access history",
};
const EMPTY: Record<LogName, string> = {
  callback: "No callback matches.",
  refresh: "No token renewal matches.",
  webhook: "No webhook delivery matches.",
  access: "No access-history event matches.",
};
const TRIGGER_LABEL: Record<string, string> = { on_demand: "On demand", unauthorized: "After a 401", scheduled: "Scheduled", manual: "Manual" };
const FILTER_KEYS = ["from", "to", "outcome", "actor", "q"] as const;

type SearchParams = Record<string, string | string[] | undefined>;

interface Section extends LogSectionView {
  /** The raw filter values in the URL, when this is the log the URL's filters are for. */
  raw: Partial<Record<(typeof FILTER_KEYS)[number], string>>;
}

/**
 * The four logs of the tenant, each a table of 50 rows with filters, keyset pages and a CSV export of exactly what
 * the filters select. The URL's filters and cursor (`?log=callback&outcome=failure&cursor=…`) apply to the log named
 * by `log`; the other logs show their newest rows. Every view is recorded in the access history.
 */
export default async function LogsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageActor("logs.read");
  const { tenantId, tenantName } = actor;
  const params = toUrlParams(await searchParams);
  const meta = requestMetaFromHeaders(await headers());
  const [view, dead] = await Promise.all([viewLogs({ tenantId, actorUserId: actor.userId, params, meta }), deadWebhookEvents(tenantId)]);
  const raw = Object.fromEntries(FILTER_KEYS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
  const sections: Section[] = view.sections.map((section) => ({ ...section, raw: section.log === view.selected ? raw : {} }));
  const canRetry = can(actor.role, "webhooks.manage");

  return (
    <div className="space-y-10">
      <div>
        <h1 className="text-2xl font-semibold">QuickBooks logs</h1>
        <p className="mt-1 text-sm text-slate-600">
          The logs of {tenantName}, newest first, {PAGE_SIZE} a page; dates filter whole UTC days; times show in your time zone (UTC on hover). No log
          holds a code, token or secret. Every view and export is recorded in the access history.
        </p>
        <nav aria-label="Logs" className="mt-3 flex flex-wrap gap-3 text-sm">
          {LOG_NAMES.map((log) => (
            <a key={log} href={`#${log}-log`} className="text-blue-700 underline">
              {TITLES[log]}
            </a>
          ))}
        </nav>
      </div>

      {sections.map((section) => (
        <LogSection key={section.log} section={section} />
      ))}

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
            {canRetry && <RetryDeadEvents tenantId={tenantId} count={dead.length} />}
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

function toUrlParams(searchParams: SearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  }
  return params;
}

function query(entries: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(entries)) if (v) params.set(k, v);
  return params.toString();
}

function LogSection({ section }: { section: Section }) {
  const { log, raw, page, error } = section;
  const title = TITLES[log];
  const id = `${log}-log`;
  const columns = LOG_COLUMNS[log];
  const filtered = Object.keys(raw).length > 0;
  const exportHref = `/api/quickbooks/logs/${log}.csv${filtered ? `?${query(raw)}` : ""}`;
  const pageHref = (cursor: string) => `?${query({ log, ...raw, cursor })}#${id}`;

  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-4 space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {title}
        </h2>
        <a href={exportHref} className="rounded border border-slate-300 bg-white px-3 py-1 text-sm font-medium hover:bg-slate-50" download>
          Export CSV<span className="sr-only"> of the {title.toLowerCase()}</span>
        </a>
      </div>

      <form method="get" action={`#${id}`} aria-label={`Filter the ${title.toLowerCase()}`} className="flex flex-wrap items-end gap-3 text-sm">
        <input type="hidden" name="log" value={log} />
        <Field label="From" htmlFor={`${id}-from`}>
          <input id={`${id}-from`} name="from" type="date" defaultValue={raw.from} className="rounded border border-slate-300 px-2 py-1" />
        </Field>
        <Field label="To" htmlFor={`${id}-to`}>
          <input id={`${id}-to`} name="to" type="date" defaultValue={raw.to} className="rounded border border-slate-300 px-2 py-1" />
        </Field>
        <Field label="Outcome" htmlFor={`${id}-outcome`}>
          <select id={`${id}-outcome`} name="outcome" defaultValue={raw.outcome ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">Any</option>
            {LOG_OUTCOMES[log].map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
        {logHasActor(log) && (
          <Field label="User" htmlFor={`${id}-actor`}>
            <input id={`${id}-actor`} name="actor" type="email" defaultValue={raw.actor} placeholder="email" className="rounded border border-slate-300 px-2 py-1" />
          </Field>
        )}
        <Field label="Text" htmlFor={`${id}-q`}>
          <input id={`${id}-q`} name="q" type="search" defaultValue={raw.q} className="rounded border border-slate-300 px-2 py-1" />
        </Field>
        <button type="submit" className="rounded bg-slate-800 px-3 py-1 font-medium text-white">
          Filter
        </button>
        {filtered && (
          <a href={`?log=${log}#${id}`} className="text-blue-700 underline">
            Clear
          </a>
        )}
      </form>

      {error ? (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : page && page.rows.length === 0 ? (
        <p className="text-sm text-slate-600">{EMPTY[log]}</p>
      ) : page ? (
        <>
          <Table caption={title}>
            <TableHead nowrap columns={columns.map((c) => ({ key: c.name, label: c.label }))} />
            <TableBody>
              {page.rows.map((row) => (
                <tr key={String(row.id)} data-id={String(row.id)}>
                  {columns.map((c) => (
                    <td key={c.name} className="px-3 py-2 align-top" data-column={c.name}>
                      <Cell log={log} column={c} value={row[c.name]} />
                    </td>
                  ))}
                </tr>
              ))}
            </TableBody>
          </Table>
          <nav aria-label={`Pages of the ${title.toLowerCase()}`} className="flex gap-4 text-sm">
            {page.newer ? (
              <a href={pageHref(page.newer)} className="text-blue-700 underline">
                ← Newer
              </a>
            ) : null}
            {page.older ? (
              <a href={pageHref(page.older)} className="text-blue-700 underline">
                Older →
              </a>
            ) : null}
          </nav>
        </>
      ) : null}
    </section>
  );
}

function Field({ label, htmlFor, children }: { label: string; htmlFor: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={htmlFor} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      {children}
    </div>
  );
}

function Cell({ log, column, value }: { log: LogName; column: LogColumn; value: RawValue }) {
  const text = cellText(column, value);
  if (text === null) return null;
  if (column.type === "timestamp") return <LocalTime iso={text} />;
  if (column.name === "outcome") return <Outcome value={text} />;
  // Repeats folded into one row (lib/logs/repeat-fold.ts): "×1000" on a folded row, nothing on a single event.
  if (column.name === "count") return text === "1" ? null : <span aria-label={`${text} times`}>×{text}</span>;
  if (log === "webhook" && column.name === "status") return <Outcome value={text === "accepted" ? "success" : "failure"} label={text.replaceAll("_", " ")} />;
  if (log === "refresh" && column.name === "trigger") return <>{TRIGGER_LABEL[text] ?? text}</>;
  return <>{text}</>;
}

function Outcome({ value, label }: { value: string; label?: string }) {
  const style = value === "success" ? "bg-green-100 text-green-800" : value === "failure" ? "bg-red-100 text-red-800" : "bg-slate-100 text-slate-700";
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${style}`}>{label ?? value}</span>;
}
