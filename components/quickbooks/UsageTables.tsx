import Link from "next/link";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import { TIER_LABELS, isPlanTier } from "@/lib/usage/rules/plan-tiers";

// The usage page's tables: reads by operation, the operator's top tenants and every Intuit app. Server components;
// each table is named by its caption, and each row by its row header, so tests and screen readers find them.

const count = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const share = (part: number, whole: number) => (whole > 0 ? percent.format(part / whole) : "—");
const cell = "px-3 py-2 text-right tabular-nums";

/** `emptyNote`: why a month may have no metered reads, said after "No metered reads this month". */
export function OperationsTable({ operations, scopeLabel, emptyNote = "" }: { operations: { operation: string; calls: number }[]; scopeLabel: string; emptyNote?: string }) {
  const total = operations.reduce((n, o) => n + o.calls, 0);
  if (operations.length === 0) {
    return <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">No metered reads this month ({scopeLabel}).{emptyNote ? ` ${emptyNote}` : ""}</p>;
  }
  return (
    <Table caption={`Metered reads by operation this month, ${scopeLabel}`}>
      <TableHead columns={["Operation", { label: "Reads", numeric: true }, { label: "Share", numeric: true }]} />
      <TableBody>
        {operations.map((o) => (
          <tr key={o.operation} data-testid="usage-operation-row">
            <th scope="row" className="px-3 py-2 font-mono font-normal">
              {o.operation}
            </th>
            <td className={cell}>{count.format(o.calls)}</td>
            <td className={cell}>{share(o.calls, total)}</td>
          </tr>
        ))}
      </TableBody>
    </Table>
  );
}

export function TopTenantsTable({ tenants, appReads }: { tenants: { tenantId: string; tenantName: string; reads: number; background: number }[]; appReads: number }) {
  if (tenants.length === 0) return <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">No tenant has read through this app this month.</p>;
  return (
    <Table caption="Top tenants by metered reads this month">
      <TableHead columns={["Tenant", { label: "Reads", numeric: true }, { label: "Share of the app", numeric: true }, { label: "Background reads", numeric: true }]} />
      <TableBody>
        {tenants.map((t) => (
          <tr key={t.tenantId} data-testid="usage-tenant-row">
            <th scope="row" className="px-3 py-2 text-left font-medium">
              {t.tenantName}
            </th>
            <td className={cell}>{count.format(t.reads)}</td>
            <td className={cell}>{share(t.reads, appReads)}</td>
            <td className={cell}>{count.format(t.background)}</td>
          </tr>
        ))}
      </TableBody>
    </Table>
  );
}

export interface AppRow {
  appKey: string;
  label: string;
  tier: string;
  quota: number;
  used: number;
  projected: number;
  current: boolean;
}

export function AppsTable({ apps }: { apps: AppRow[] }) {
  return (
    <Table caption="Intuit apps and their month">
      <TableHead
        columns={["Intuit app", "Tier", { label: "Quota", numeric: true }, { label: "Used", numeric: true }, { label: "Used %", numeric: true }, { label: "Projected", numeric: true }]}
      />
      <TableBody>
        {apps.map((a) => (
          <tr key={a.appKey} data-testid="usage-app-row">
            <th scope="row" className="px-3 py-2 text-left font-medium">
              <Link href={`/integrations/quickbooks/usage?app=${encodeURIComponent(a.appKey)}`} aria-current={a.current ? "page" : undefined} className="text-blue-700 underline">
                {a.label.charAt(0).toUpperCase() + a.label.slice(1)}
              </Link>
            </th>
            <td className="px-3 py-2">{isPlanTier(a.tier) ? TIER_LABELS[a.tier] : a.tier}</td>
            <td className={cell}>{count.format(a.quota)}</td>
            <td className={cell}>{count.format(a.used)}</td>
            <td className={cell}>{share(a.used, a.quota)}</td>
            <td className={cell}>{count.format(a.projected)}</td>
          </tr>
        ))}
      </TableBody>
    </Table>
  );
}
