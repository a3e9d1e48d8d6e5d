import { isIPv4, isIPv6 } from "node:net";
import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * Folding repeats: what a request nobody has to sign in for (a callback with a made-up state, a webhook with a bad
 * signature, a throttled sign-in) writes to a log is counted on one row per kind, source and window, not written
 * again, so a flood from one address costs a bounded number of rows however long it lasts.
 *
 * "The same" is: the same log, the same source (addressBucket: an IPv4 address, or an IPv6 /64, the smallest block an
 * ISP hands a customer), the same parts the writer names (its closed-vocabulary code, tenant, user…; never a value the
 * client can vary at will, such as a realm id or an email), and the same FOLD_WINDOW_MS period of the UTC clock. The
 * row keeps the first occurrence's values (its time, message, realm, user agent) and counts the rest in repeat_count,
 * with the latest one's time in last_seen_at.
 */

export const FOLD_WINDOW_MS = 10 * 60 * 1000;

/** The source a fold counts by: requests from one customer's addresses share it. */
export function addressBucket(ip: string | null | undefined): string {
  const value = ip?.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").split("%")[0];
  if (!value) return "unknown";
  if (isIPv4(value)) return value;
  if (!isIPv6(value)) return "not-an-address"; // one bucket for every malformed value a header may carry
  const hextets = ipv6Hextets(value);
  // An IPv4 client seen through a dual-stack socket (::ffff:a.b.c.d) is that IPv4 address.
  if (hextets.slice(0, 5).every((h) => h === "0") && hextets[5] === "ffff") {
    const [high, low] = [parseInt(hextets[6]!, 16), parseInt(hextets[7]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join(".");
  }
  return `${hextets.slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of a valid IPv6 address, without leading zeros: `2001:db8::1` → 2001, db8, 0, 0, 0, 0, 0, 1. */
function ipv6Hextets(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parts = (s: string) => (s ? s.split(":") : []);
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const middle = new Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].map((h) => parseInt(h, 16).toString(16));
}

/** The start of the window `at` falls in: windows are aligned to the UTC clock, so every instance agrees. */
export function foldWindowStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / FOLD_WINDOW_MS) * FOLD_WINDOW_MS);
}

/** The key of a fold: one row per distinct key (a unique index on fold_key). */
export function foldKey(log: string, ip: string | null | undefined, parts: readonly (string | number | boolean | null | undefined)[], at: Date): string {
  return JSON.stringify([log, addressBucket(ip), ...parts.map((p) => (p === undefined ? null : p)), foldWindowStart(at).toISOString()]);
}

interface FoldColumns {
  foldKey: PgColumn;
  repeatCount: PgColumn;
  lastSeenAt: PgColumn;
}

/**
 * The ON CONFLICT clause that turns an insert into a count: the row already written for this key gains one repeat
 * and the new occurrence's time (`seenAt`, the inserted row's own time column). Rows without a fold key never
 * conflict (the unique index is partial: fold_key is not null).
 */
export function countRepeat(table: FoldColumns, seenAt: PgColumn): { target: PgColumn; targetWhere: SQL; set: { repeatCount: SQL; lastSeenAt: SQL } } {
  return {
    target: table.foldKey,
    targetWhere: sql`${table.foldKey} is not null`,
    set: {
      repeatCount: sql`${table.repeatCount} + 1`,
      lastSeenAt: sql`greatest(coalesce(${table.lastSeenAt}, ${seenAt}), excluded.${sql.identifier(seenAt.name)})`,
    },
  };
}
