import "server-only";
import { db } from "@/db";
import type { LogName, RawValue } from "./columns";
import { rowsOf } from "@/db/rows";
import { encodeCursor, rowSelectPieces, toDrizzleSql, type LogCursor, type LogFilters } from "./log-query";

export const PAGE_SIZE = 50;

export interface LogPage {
  rows: Record<string, RawValue>[];
  /** Cursor of the next page of older rows, when there is one. */
  older: string | null;
  /** Cursor of the previous page of newer rows, when there is one. */
  newer: string | null;
}

/**
 * One page of a log, newest first, by keyset: rows strictly older (or newer) than the cursor's (time, id), so a page
 * costs the same at row 50 as at row 5,000,000 and rows written meanwhile never shift it.
 */
export async function readLogPage(log: LogName, tenantId: string, filters: LogFilters, cursor?: LogCursor, size = PAGE_SIZE): Promise<LogPage> {
  const fetched = rowsOf<Record<string, RawValue>>(await db().execute(toDrizzleSql(rowSelectPieces(log, tenantId, filters, cursor, size + 1))));
  const more = fetched.length > size;
  const page = fetched.slice(0, size);
  if (cursor?.direction === "newer") page.reverse();
  const at = (row: Record<string, RawValue> | undefined, direction: LogCursor["direction"]) =>
    row ? encodeCursor({ direction, time: String(row._cursor_time), id: String(row._cursor_id) }) : null;
  const first = page[0];
  const last = page[page.length - 1];
  if (cursor?.direction === "newer") return { rows: page, newer: more ? at(first, "newer") : null, older: at(last, "older") };
  return { rows: page, older: more ? at(last, "older") : null, newer: cursor ? at(first, "newer") : null };
}
