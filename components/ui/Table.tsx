import type { ReactNode } from "react";

// The console's data tables: one frame, one header style, one body style. Server and client components both use
// them (no hooks, no context). Body cells stay plain <td>/<th scope="row"> markup: their content differs per table.

const cx = (...classes: (string | false | undefined)[]) => classes.filter(Boolean).join(" ");

export interface TableColumn {
  /** The header's text, or a node (e.g. a sort link). */
  label: ReactNode;
  /** React key; needed when `label` is not a string. */
  key?: string;
  /** Numbers and amounts: right-aligned. */
  numeric?: boolean;
  /** Read by screen readers only, e.g. "Actions" over a column of buttons. */
  srOnly?: boolean;
  /** The column is the one the rows are sorted by (`aria-sort`); "none" on a sortable column that is not. */
  sort?: "ascending" | "descending" | "none";
  /** Extra classes, e.g. a fixed width. */
  className?: string;
}

/**
 * A table with its caption (its accessible name, read by screen readers only unless `showCaption`). A wide table
 * scrolls sideways inside its container, which is therefore focusable and named after the caption, so that keyboard
 * users can scroll it too (axe: scrollable-region-focusable). `framed` (the default) draws the white bordered card;
 * a table inside a panel that already has one goes without.
 */
export function Table({
  caption,
  showCaption = false,
  framed = true,
  children,
}: {
  caption: string;
  showCaption?: boolean;
  framed?: boolean;
  children: ReactNode;
}) {
  return (
    <div role="region" aria-label={caption} tabIndex={0} className={cx("overflow-x-auto", framed && "rounded-lg border border-slate-200 bg-white")}>
      <table className="min-w-full text-left text-sm">
        <caption className={showCaption ? "mb-1 text-left text-sm font-semibold" : "sr-only"}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/**
 * The header row from a column list; a plain string is a plain column. `nowrap` keeps each header on one line; `dense`
 * is the compact padding of a table inside a panel.
 */
export function TableHead({ columns, nowrap = false, dense = false }: { columns: readonly (TableColumn | string)[]; nowrap?: boolean; dense?: boolean }) {
  return (
    <thead className="bg-slate-50 text-slate-600">
      <tr>
        {columns.map((column) => {
          const c: TableColumn = typeof column === "string" ? { label: column } : column;
          const className = cx(dense ? "px-2 py-1" : "px-3 py-2", "font-medium", nowrap && "whitespace-nowrap", c.numeric && "text-right", c.className);
          return (
            <th key={c.key ?? String(c.label)} scope="col" aria-sort={c.sort} className={className}>
              {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** The rows, divided by a hairline. */
export function TableBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100">{children}</tbody>;
}
