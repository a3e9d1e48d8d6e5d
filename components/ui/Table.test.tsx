import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Table, TableBody, TableHead } from "./Table";

const render = (element: ReactElement) => renderToStaticMarkup(element);

describe("Table", () => {
  it("should name the table by its caption and make its scroll container a focusable, named region", () => {
    const html = render(
      <Table caption="Callback log">
        <TableBody>{null}</TableBody>
      </Table>,
    );
    expect(html).toContain('<div role="region" aria-label="Callback log" tabindex="0" class="overflow-x-auto rounded-lg border border-slate-200 bg-white">');
    expect(html).toContain('<caption class="sr-only">Callback log</caption>');
    expect(html).toContain('<tbody class="divide-y divide-slate-100"></tbody>');
  });

  it("should show the caption when asked, and leave the frame off inside a panel", () => {
    const html = render(
      <Table caption="Recent sync runs" showCaption framed={false}>
        {null}
      </Table>,
    );
    expect(html).toContain('class="overflow-x-auto"');
    expect(html).toContain('<caption class="mb-1 text-left text-sm font-semibold">Recent sync runs</caption>');
  });
});

describe("TableHead", () => {
  it("should render column headers in order, scoped to their column, numbers right-aligned", () => {
    const html = render(
      <table>
        <TableHead columns={["Operation", { label: "Calls", numeric: true }, { label: "QuickBooks account", className: "w-72" }]} />
      </table>,
    );
    expect(html).toBe(
      '<table><thead class="bg-slate-50 text-slate-600"><tr>' +
        '<th scope="col" class="px-3 py-2 font-medium">Operation</th>' +
        '<th scope="col" class="px-3 py-2 font-medium text-right">Calls</th>' +
        '<th scope="col" class="px-3 py-2 font-medium w-72">QuickBooks account</th>' +
        "</tr></thead></table>",
    );
  });

  it("should keep headers on one line, pad densely, hide a label visually and state the sort when asked", () => {
    const html = render(
      <table>
        <TableHead
          dense
          nowrap
          columns={[{ label: "Tenant", sort: "ascending" }, { label: "Indicator", sort: "none" }, { label: "Actions", srOnly: true }]}
        />
      </table>,
    );
    expect(html).toContain('<th scope="col" aria-sort="ascending" class="px-2 py-1 font-medium whitespace-nowrap">Tenant</th>');
    expect(html).toContain('<th scope="col" aria-sort="none" class="px-2 py-1 font-medium whitespace-nowrap">Indicator</th>');
    expect(html).toContain('<th scope="col" class="px-2 py-1 font-medium whitespace-nowrap"><span class="sr-only">Actions</span></th>');
  });
});
