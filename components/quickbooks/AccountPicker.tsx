"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { fetchChartPage, formatMoney, ledgerKeys, type QboAccountOption } from "./ledger-api";

/** Accounts per request: the picker never loads the whole chart, however large it is. */
export const PICKER_PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 200;

/**
 * A combobox over the stored QuickBooks chart of accounts (ARIA 1.2 combobox with a listbox popup): typing searches
 * by name or type on the server, Arrow keys move through the options, Enter chooses, Escape closes, and "Load more"
 * (or Arrow Down past the last option) fetches the next page by keyset. Works the same with 50 or 50,000 accounts.
 */
export function AccountPicker({
  tenantId,
  label,
  value,
  onChange,
}: {
  tenantId: string;
  /** The accessible name, e.g. "QuickBooks account for 1200 Inventory". */
  label: string;
  value: { id: string; name: string } | null;
  onChange: (account: QboAccountOption) => void;
}) {
  const id = useId();
  const listId = `${id}-listbox`;
  const hintId = `${id}-hint`;
  const containerRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(-1);

  // The search waits for a pause in typing.
  useEffect(() => {
    if (!open) return;
    const timer = setTimeout(() => setQuery(text === value?.name ? "" : text), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, open, value?.name]);

  const chart = useInfiniteQuery({
    queryKey: ledgerKeys.chart(tenantId, query),
    queryFn: ({ pageParam }) => fetchChartPage(tenantId, query, pageParam, PICKER_PAGE_SIZE),
    initialPageParam: null as { name: string; id: string } | null,
    getNextPageParam: (last) => {
      const tail = last.accounts.at(-1);
      return last.hasMore && tail ? { name: tail.name, id: tail.id } : undefined;
    },
    enabled: open,
    staleTime: 60_000,
  });
  const options = chart.data?.pages.flatMap((page) => page.accounts) ?? [];

  useEffect(() => {
    if (active < 0) return;
    listRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  // Closed, the input shows the current choice (whatever changed it: a pick, "Unmap", a save); open, what is typed.
  const openPopup = () => {
    if (open) return;
    setText(value?.name ?? "");
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const choose = (account: QboAccountOption) => {
    onChange(account);
    setOpen(false);
    setActive(-1);
  };
  /** Fetches the next page; `thenActivate` moves onto its first option (Arrow Down past the last one). */
  const loadMore = (thenActivate = false) => {
    if (!chart.hasNextPage || chart.isFetchingNextPage) return;
    const firstOfNext = options.length;
    void chart.fetchNextPage().then((result) => {
      const loaded = result.data?.pages.reduce((n, page) => n + page.accounts.length, 0) ?? 0;
      if (thenActivate && loaded > firstOfNext) setActive(firstOfNext);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) {
          openPopup();
          setActive(0);
        } else if (active < options.length - 1) {
          setActive(active + 1);
        } else {
          loadMore(true);
        }
        break;
      case "ArrowUp":
        event.preventDefault();
        if (open) setActive(Math.max(0, active - 1));
        break;
      case "Home":
        if (open && options.length > 0) {
          event.preventDefault();
          setActive(0);
        }
        break;
      case "End":
        if (open && options.length > 0) {
          event.preventDefault();
          setActive(options.length - 1);
        }
        break;
      case "Enter": {
        const account = open ? options[active] : undefined;
        if (account) {
          event.preventDefault();
          choose(account);
        }
        break;
      }
      case "Escape":
        if (open) {
          event.preventDefault();
          close();
        }
        break;
    }
  };

  const activeId = open && active >= 0 && options[active] ? `${listId}-${active}` : undefined;
  const searching = chart.isFetching && !chart.isFetchingNextPage;
  const summary = !open
    ? ""
    : chart.isError
      ? `The QuickBooks accounts could not be loaded: ${chart.error.message}`
      : searching && options.length === 0
        ? "Searching…"
        : options.length === 0
          ? query
            ? `No QuickBooks account matches “${query}”.`
            : "No QuickBooks accounts are stored yet."
          : `${options.length} account${options.length === 1 ? "" : "s"} shown${chart.hasNextPage ? "; more match" : ""}.`;

  return (
    <div
      ref={containerRef}
      className="relative"
      onBlur={(event) => {
        if (!containerRef.current?.contains(event.relatedTarget as Node | null)) close();
      }}
    >
      <input
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        aria-describedby={hintId}
        autoComplete="off"
        spellCheck={false}
        placeholder="Search QuickBooks accounts"
        value={open ? text : (value?.name ?? "")}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={(event) => event.target.select()}
        onClick={openPopup}
        onKeyDown={onKeyDown}
        className="w-full min-w-48 rounded-md border border-slate-300 px-2 py-1 text-sm"
      />
      <span id={hintId} className="sr-only">
        Type to search by name or type; Arrow keys move, Enter chooses, Escape closes.
      </span>
      <div hidden={!open} className="mt-1 rounded-md border border-slate-300 bg-white shadow-sm">
        <ul ref={listRef} id={listId} role="listbox" aria-label={`QuickBooks accounts for ${label.replace(/^QuickBooks account for /, "")}`} className="max-h-64 overflow-y-auto">
          {options.map((account, index) => (
            <li
              key={account.id}
              id={`${listId}-${index}`}
              data-index={index}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => event.preventDefault()}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(account)}
              className={`cursor-pointer px-2 py-1 text-sm ${index === active ? "bg-blue-100" : ""}`}
            >
              <span className="font-medium">{account.name}</span>
              <span className="block text-xs text-slate-600">
                {account.accountType}
                {account.classification ? ` · ${account.classification}` : ""} · balance {formatMoney(account.currentBalance)}
                {account.active ? "" : " · inactive"}
                {value?.id === account.id ? " · current choice" : ""}
              </span>
            </li>
          ))}
        </ul>
        <div className="flex items-center justify-between gap-2 border-t border-slate-100 px-2 py-1 text-xs text-slate-600">
          <span aria-live="polite">{summary}</span>
          {chart.hasNextPage && (
            <button
              type="button"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => loadMore()}
              disabled={chart.isFetchingNextPage}
              className="rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100 disabled:opacity-60"
            >
              {chart.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
