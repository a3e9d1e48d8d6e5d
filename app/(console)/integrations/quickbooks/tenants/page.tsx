import type { Metadata } from "next";
import Link from "next/link";
import type { ConnectionStatus } from "@/db/schema";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead, type TableColumn } from "@/components/ui/Table";
import { requirePageActor } from "@/lib/auth/guard";
import { listTenantHealth } from "@/lib/quickbooks/list-tenant-health";
import { tenantHealthQuerySchema, type SortDirection, type TenantHealthQuery, type TenantHealthSort } from "@/lib/quickbooks/rules/tenant-health-order";

export const metadata: Metadata = { title: "All tenants" };

const PATH = "/integrations/quickbooks/tenants";

const STATUS_LABEL: Record<ConnectionStatus, string> = {
  not_connected: "Not connected",
  authorizing: "Authorizing",
  callback_received: "Callback received",
  active: "Active",
  reauthorization_required: "Reauthorization required",
  disconnected: "Disconnected",
};

const COLUMNS: { label: string; sort: TenantHealthSort | null }[] = [
  { label: "Tenant", sort: "name" },
  { label: "Indicator", sort: "health" },
  { label: "Connection state", sort: null },
  { label: "Last verify", sort: "last_verify" },
  { label: "Refresh token expiry", sort: "refresh_expiry" },
  { label: "Failing checks", sort: null },
];

function href(query: TenantHealthQuery): string {
  return `${PATH}?${new URLSearchParams({ sort: query.sort, dir: query.dir, page: String(query.page) })}`;
}

export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor("tenants.overview");
  const query = tenantHealthQuerySchema.parse(await searchParams);
  const result = await listTenantHealth({ userId: actor.userId, ...query });
  const first = (result.page - 1) * result.pageSize + 1;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">All tenants</h1>
        <p className="mt-1 text-sm text-slate-600">
          The QuickBooks connection of every tenant where you are an admin, worst first unless you sort otherwise. Switch tenant in the header to act on
          one.
        </p>
      </div>

      {result.total === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">You are not an admin of any tenant.</p>
      ) : result.rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">
          This page is past the end of the list.{" "}
          <Link href={href({ ...query, page: 1 })} className="font-medium text-blue-700 underline">
            Go to the first page
          </Link>
          .
        </p>
      ) : (
        <Table caption="Tenants where you are an admin, with their QuickBooks connection health">
          <TableHead nowrap columns={COLUMNS.map((column) => headerColumn(column, query))} />
          <TableBody>
            {result.rows.map((row) => (
              <tr key={row.tenantId} data-testid="tenant-row">
                <td className="px-3 py-2 align-top">
                  <div className="font-medium">{row.tenantName}</div>
                  <div className="text-xs text-slate-500">
                    {row.environment}
                    {row.companyName ? ` · ${row.companyName}` : ""}
                  </div>
                </td>
                <td className="px-3 py-2 align-top">
                  <span
                    data-testid="tenant-indicator"
                    data-state={row.indicator}
                    className={`rounded-full px-2 py-0.5 text-xs font-medium ${row.indicator === "green" ? "bg-green-100 text-green-800" : "bg-red-100 text-red-800"}`}
                  >
                    {row.indicator === "green" ? "Green" : "Red"}
                  </span>
                </td>
                <td className="px-3 py-2 align-top">{STATUS_LABEL[row.status]}</td>
                <td className="whitespace-nowrap px-3 py-2 align-top">{row.lastVerifiedAt ? <LocalTime iso={row.lastVerifiedAt.toISOString()} /> : "Never"}</td>
                <td className="whitespace-nowrap px-3 py-2 align-top">
                  {row.refreshTokenExpiresAt ? <LocalTime iso={row.refreshTokenExpiresAt.toISOString()} /> : "No refresh token"}
                </td>
                <td className="px-3 py-2 align-top">
                  {row.failingChecks.length === 0 ? (
                    <span className="text-slate-500">None</span>
                  ) : (
                    <ul className="list-disc space-y-0.5 pl-4">
                      {row.failingChecks.map((name) => (
                        <li key={name}>{name}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </TableBody>
        </Table>
      )}

      {result.total > 0 && (
        <nav aria-label="Pagination" className="flex items-center justify-between text-sm">
          <p className="text-slate-600">
            {result.rows.length > 0 ? `Tenants ${first}–${first + result.rows.length - 1} of ${result.total}` : `${result.total} tenants`} · page{" "}
            {result.page} of {result.pageCount}
          </p>
          <div className="flex gap-3">
            <PageLink label="Previous" target={result.page > 1 ? href({ ...query, page: Math.min(result.page - 1, result.pageCount) }) : null} />
            <PageLink label="Next" target={result.page < result.pageCount ? href({ ...query, page: result.page + 1 }) : null} />
          </div>
        </nav>
      )}
    </div>
  );
}

/** A column header; a sortable one is a link that sorts by it, or reverses the order when it already sorts. */
function headerColumn({ label, sort }: (typeof COLUMNS)[number], current: TenantHealthQuery): TableColumn {
  if (!sort) return { label };
  const active = current.sort === sort;
  const nextDir: SortDirection = active && current.dir === "asc" ? "desc" : "asc";
  return {
    key: label,
    sort: active ? (current.dir === "asc" ? "ascending" : "descending") : "none",
    label: (
      <Link href={href({ sort, dir: nextDir, page: 1 })} className="hover:text-slate-950 hover:underline">
        {label}
        {active && <span aria-hidden="true">{current.dir === "asc" ? " ▲" : " ▼"}</span>}
      </Link>
    ),
  };
}

function PageLink({ label, target }: { label: string; target: string | null }) {
  if (!target) {
    return (
      <span aria-disabled="true" className="rounded border border-slate-200 px-3 py-1 text-slate-400">
        {label}
      </span>
    );
  }
  return (
    <Link href={target} rel={label === "Next" ? "next" : "prev"} className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">
      {label}
    </Link>
  );
}
