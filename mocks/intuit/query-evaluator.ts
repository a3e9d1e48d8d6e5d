// Runs a parsed query (query-parser.ts) over rows already in their Intuit JSON shape, so one evaluator serves every
// entity: WHERE with Intuit's comparisons (times as instants, numbers numerically, text ignoring case), the name-list
// entities' hidden inactive objects, ORDERBY, the page (STARTPOSITION, MAXRESULTS capped at 1,000) and the
// projection of `select Field, …`.

import type { Literal } from "./query-lexer";
import { QUERY_MAX_RESULTS, type ParsedQuery, type QueryCondition } from "./query-parser";

/** Entities whose inactive objects a query leaves out unless it filters on Active. */
const NAME_LIST_ENTITIES: ReadonlySet<string> = new Set(["Account", "Customer", "Vendor", "Employee", "Item", "Class", "Department", "Term", "PaymentMethod"]);

/** The value at a dotted path of an Intuit record, field names case-insensitive. */
function valueAt(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = Object.keys(current).find((name) => name.toLowerCase() === segment.toLowerCase());
    current = key === undefined ? undefined : (current as Record<string, unknown>)[key];
  }
  // A reference (ParentRef) compares by its value.
  if (typeof current === "object" && current !== null && "value" in current) return (current as { value: unknown }).value;
  return current;
}

const isTimeField = (field: string) => /time$/i.test(field);
const isNumericText = (value: string) => /^-?\d+(\.\d+)?$/.test(value);

/** Orders two values the way Intuit compares the field: times as instants, numbers and numeric ids numerically, text ignoring case. */
function compareValues(field: string, actual: unknown, literal: Literal): number | null {
  if (actual === undefined || actual === null) return null;
  if (typeof actual === "boolean") {
    const expected = typeof literal === "boolean" ? literal : String(literal).toLowerCase() === "true";
    return actual === expected ? 0 : actual ? 1 : -1;
  }
  if (isTimeField(field)) {
    const a = Date.parse(String(actual));
    const b = Date.parse(String(literal));
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return Math.sign(a - b);
  }
  const a = String(actual);
  const b = String(literal);
  if ((typeof actual === "number" || isNumericText(a)) && (typeof literal === "number" || isNumericText(b))) return Math.sign(Number(a) - Number(b));
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function likePattern(pattern: string): RegExp {
  const body = pattern
    .split("%")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "is");
}

function matches(record: Record<string, unknown>, condition: QueryCondition): boolean {
  const actual = valueAt(record, condition.field);
  const [first] = condition.values;
  switch (condition.operator) {
    case "in":
      return condition.values.some((value) => compareValues(condition.field, actual, value) === 0);
    case "like":
      return actual !== undefined && actual !== null && likePattern(String(first)).test(String(actual));
    default: {
      const order = compareValues(condition.field, actual, first!);
      if (order === null) return false;
      if (condition.operator === "=") return order === 0;
      if (condition.operator === "!=") return order !== 0;
      if (condition.operator === "<") return order < 0;
      if (condition.operator === ">") return order > 0;
      if (condition.operator === "<=") return order <= 0;
      return order >= 0;
    }
  }
}

function sortKeyCompare(field: string, a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  return compareValues(field, a, typeof b === "boolean" || typeof b === "number" ? b : String(b)) ?? 0;
}

function project(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const top = field.split(".")[0]!;
    const key = Object.keys(record).find((name) => name.toLowerCase() === top.toLowerCase());
    if (key !== undefined) out[key] = record[key];
  }
  return { ...out, domain: record.domain, sparse: true, Id: record.Id, SyncToken: record.SyncToken };
}

/** The QueryResponse document (without `time`, which the route adds) for rows already in Intuit's JSON shape. */
export function queryResponseBody(query: ParsedQuery, rows: readonly Record<string, unknown>[]): Record<string, unknown> {
  const filtersActive = query.where.some((condition) => condition.field.toLowerCase() === "active");
  let selected = rows.filter((row) => query.where.every((condition) => matches(row, condition)));
  if (NAME_LIST_ENTITIES.has(query.entity) && !filtersActive) selected = selected.filter((row) => row.Active !== false);
  if (query.count) return { QueryResponse: { totalCount: selected.length } };
  if (query.orderBy.length > 0) {
    selected = [...selected].sort((a, b) => {
      for (const order of query.orderBy) {
        const result = sortKeyCompare(order.field, valueAt(a, order.field), valueAt(b, order.field));
        if (result !== 0) return order.descending ? -result : result;
      }
      return 0;
    });
  }
  const size = Math.min(query.maxResults, QUERY_MAX_RESULTS);
  const page = selected.slice(query.startPosition - 1, query.startPosition - 1 + size);
  // Intuit omits the entity key entirely (an empty QueryResponse) when nothing matches.
  if (page.length === 0) return { QueryResponse: {} };
  const fields = query.fields;
  const shaped = fields ? page.map((row) => project(row, fields)) : page;
  return { QueryResponse: { [query.entity]: shaped, startPosition: query.startPosition, maxResults: page.length } };
}
