import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { LOG_COLUMNS, copyExpression, rowExpression, type LogName } from "./columns";

/**
 * The logs' queries, shared by the logs page and the CSV exports: one FROM clause per log, the tenant filter inside
 * the WHERE, the page's filters, and the keyset order (time desc, id desc) that the (tenant_id, …, created_at desc,
 * id desc) indexes serve. A query is a list of pieces (SQL text and typed values) rendered either with bind
 * parameters (drizzle, both engines) or with inlined literals (COPY, which takes no parameters).
 */

export interface LogFilters {
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  outcome?: string;
  /** A user's email: who acted (callback log, access history). */
  actor?: string;
  /** Free text, case-insensitive, over the log's message, code and action columns. */
  q?: string;
}

export interface LogCursor {
  direction: "older" | "newer";
  /** The row's time to the microsecond, ISO 8601 UTC. */
  time: string;
  id: string;
}

type Cast = "uuid" | "timestamptz" | "text" | "bigint";
type Piece = string | { value: string; cast: Cast };

interface LogSource {
  from: string;
  tenant: (tenantId: string) => Piece[];
  time: string;
  id: string;
  outcomes: readonly string[];
  outcome: (value: string) => Piece[];
  /** The user-id column the actor filter applies to, when the log has one. */
  actorColumn?: string;
  textColumns: readonly string[];
}

const param = (value: string, cast: Cast): Piece => ({ value, cast });

const SOURCES: Record<LogName, LogSource> = {
  callback: {
    from: "callback_logs c left join users u on u.id = c.user_id",
    tenant: (t) => ["c.tenant_id = ", param(t, "uuid")],
    time: "c.created_at",
    id: "c.id",
    outcomes: ["success", "failure"],
    outcome: (v) => ["c.outcome = ", param(v, "text"), "::callback_outcome"],
    actorColumn: "c.user_id",
    textColumns: ["c.message", "c.error_code"],
  },
  refresh: {
    from: "refresh_logs r",
    tenant: (t) => ["r.tenant_id = ", param(t, "uuid")],
    time: "r.created_at",
    id: "r.id",
    outcomes: ["success", "failure", "skipped"],
    outcome: (v) => ["r.outcome = ", param(v, "text"), "::refresh_outcome"],
    textColumns: ["r.message", "r.error_code", "r.trigger::text"],
  },
  webhook: {
    from: "webhook_deliveries w",
    // A tenant's own deliveries, and rejected ones (which name no tenant), as the delivery log always showed.
    tenant: (t) => ["(", param(t, "uuid"), " = any(w.tenant_ids) or w.status <> 'accepted')"],
    time: "w.received_at",
    id: "w.id",
    outcomes: ["success", "failure"],
    outcome: (v) => [v === "success" ? "w.status = 'accepted'" : "w.status <> 'accepted'"],
    textColumns: ["w.error", "w.status::text", "w.signature", "w.format"],
  },
  access: {
    from: "audit_events a left join users u on u.id = a.actor_user_id",
    tenant: (t) => ["a.tenant_id = ", param(t, "uuid")],
    time: "a.created_at",
    id: "a.id",
    outcomes: ["success", "failure"],
    outcome: (v) => ["a.outcome = ", param(v, "text"), "::audit_outcome"],
    actorColumn: "a.actor_user_id",
    textColumns: ["a.action", "a.target"],
  },
};

export const LOG_OUTCOMES: Record<LogName, readonly string[]> = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [name, source.outcomes]),
) as Record<LogName, readonly string[]>;

export function logHasActor(log: LogName): boolean {
  return SOURCES[log].actorColumn !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Filters from URL search params (the page's and the export's), strictly: a bad value is a 400, never ignored.

const invalid = (message: string) => new AppError("invalid_filter", 400, message);

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DD` (a UTC day; `to` includes that whole day) or an ISO 8601 instant with its zone. */
function parseBound(name: "from" | "to", value: string): Date {
  if (DAY.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) throw invalid(`"${name}" is not a valid date.`);
    return name === "to" ? new Date(day.getTime() + 24 * 60 * 60 * 1000) : day;
  }
  if (INSTANT.test(value)) {
    const instant = new Date(value);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  throw invalid(`"${name}" must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with its zone.`);
}

const text = (name: string, max: number) =>
  z
    .string()
    .max(max, `"${name}" is longer than ${max} characters.`)
    // NUL cannot be stored in PostgreSQL text; other control characters have no business in a filter.
    .refine((v) => !/[\u0000-\u001f]/.test(v), `"${name}" holds a control character.`);

const FILTER_KEYS = ["from", "to", "outcome", "actor", "q"] as const;

export function parseLogFilters(log: LogName, params: URLSearchParams): LogFilters {
  const get = (key: string): string | undefined => {
    const all = params.getAll(key);
    if (all.length > 1) throw invalid(`"${key}" is given more than once.`);
    const value = all[0]?.trim();
    return value ? value : undefined;
  };
  const raw = Object.fromEntries(FILTER_KEYS.map((k) => [k, get(k)]));
  const filters: LogFilters = {};
  if (raw.from) filters.from = parseBound("from", raw.from);
  if (raw.to) filters.to = parseBound("to", raw.to);
  if (filters.from && filters.to && filters.from >= filters.to) throw invalid(`"from" must be before "to".`);
  if (raw.outcome) {
    if (!SOURCES[log].outcomes.includes(raw.outcome)) throw invalid(`"outcome" must be one of ${SOURCES[log].outcomes.join(", ")} for the ${log} log.`);
    filters.outcome = raw.outcome;
  }
  if (raw.actor) {
    if (!logHasActor(log)) throw invalid(`The ${log} log has no actor to filter on.`);
    const parsed = text("actor", 254).safeParse(raw.actor);
    if (!parsed.success) throw invalid(parsed.error.issues[0]!.message);
    filters.actor = parsed.data.toLowerCase();
  }
  if (raw.q) {
    const parsed = text("q", 200).safeParse(raw.q);
    if (!parsed.success) throw invalid(parsed.error.issues[0]!.message);
    filters.q = parsed.data;
  }
  return filters;
}

/** The filters as URL search params (only those set), for links that keep them: pages and the export. */
export function filterParams(filters: LogFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (filters.from) out.from = filters.from.toISOString();
  if (filters.to) out.to = filters.to.toISOString();
  if (filters.outcome) out.outcome = filters.outcome;
  if (filters.actor) out.actor = filters.actor;
  if (filters.q) out.q = filters.q;
  return out;
}

export function parseLogName(value: string | null | undefined): LogName | null {
  return value === "callback" || value === "refresh" || value === "webhook" || value === "access" ? value : null;
}

const cursorSchema = z.tuple([z.enum(["older", "newer"]), z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), z.string().regex(/^\d{1,19}$/)]);

export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(JSON.stringify([cursor.direction, cursor.time, cursor.id])).toString("base64url");
}

export function parseCursor(value: string | null | undefined): LogCursor | undefined {
  if (!value) return undefined;
  try {
    const [direction, time, id] = cursorSchema.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return { direction, time, id };
  } catch {
    throw invalid(`"cursor" is not a cursor of this page.`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SQL.

function wherePieces(log: LogName, tenantId: string, filters: LogFilters, keyset?: LogCursor): Piece[] {
  const source = SOURCES[log];
  const conditions: Piece[][] = [source.tenant(tenantId)];
  if (filters.from) conditions.push([`${source.time} >= `, param(filters.from.toISOString(), "timestamptz")]);
  if (filters.to) conditions.push([`${source.time} < `, param(filters.to.toISOString(), "timestamptz")]);
  if (filters.outcome) conditions.push(source.outcome(filters.outcome));
  if (filters.actor && source.actorColumn) {
    conditions.push([`${source.actorColumn} = (select id from users where email = `, param(filters.actor, "text"), ")"]);
  }
  if (filters.q) {
    const q = param(filters.q.toLowerCase(), "text");
    const anyColumn: Piece[] = ["("];
    source.textColumns.forEach((column, i) => anyColumn.push(i === 0 ? "" : " or ", `strpos(lower(coalesce(${column}, '')), `, q, ") > 0"));
    anyColumn.push(")");
    conditions.push(anyColumn);
  }
  if (keyset) {
    const [cmp, cmpOrEqual] = keyset.direction === "older" ? ["<", "<="] : [">", ">="];
    const time = param(keyset.time, "timestamptz");
    // The first bound is an index range; the second breaks ties between rows of the same microsecond.
    conditions.push([`${source.time} ${cmpOrEqual} `, time, ` and (${source.time} ${cmp} `, time, ` or ${source.id} ${cmp} `, param(keyset.id, "bigint"), ")"]);
  }
  const out: Piece[] = [" where "];
  conditions.forEach((c, i) => out.push(...(i === 0 ? [] : [" and "]), "(", ...c, ")"));
  return out;
}

const orderBy = (log: LogName, direction: "desc" | "asc") => ` order by ${SOURCES[log].time} ${direction}, ${SOURCES[log].id} ${direction}`;

/** The export's SELECT for PostgreSQL's COPY: every cell already formatted and neutralised, newest first. */
export function copySelectPieces(log: LogName, tenantId: string, filters: LogFilters): Piece[] {
  const columns = LOG_COLUMNS[log].map((c) => `${copyExpression(c)} as "${c.name}"`).join(", ");
  return [`select ${columns} from ${SOURCES[log].from}`, ...wherePieces(log, tenantId, filters), orderBy(log, "desc")];
}

/** Raw rows, newest first (or oldest first for "newer" pages), with each row's keyset cursor. */
export function rowSelectPieces(log: LogName, tenantId: string, filters: LogFilters, keyset: LogCursor | undefined, limit: number): Piece[] {
  const source = SOURCES[log];
  const columns = LOG_COLUMNS[log].map((c) => `${rowExpression(c)} as "${c.name}"`).join(", ");
  const cursor = `to_char(${source.time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "_cursor_time", ${source.id}::text as "_cursor_id"`;
  return [
    `select ${columns}, ${cursor} from ${source.from}`,
    ...wherePieces(log, tenantId, filters, keyset),
    orderBy(log, keyset?.direction === "newer" ? "asc" : "desc"),
    ` limit ${Math.trunc(limit)}`,
  ];
}

export function toDrizzleSql(pieces: Piece[]): SQL {
  return sql.join(
    pieces.map((p) => (typeof p === "string" ? sql.raw(p) : sql`${p.value}::${sql.raw(p.cast)}`)),
    sql.raw(""),
  );
}

/**
 * A string literal that PostgreSQL reads back as exactly `value`, whatever standard_conforming_strings says: quotes
 * doubled, and with backslashes the E'' form with backslashes doubled (as node-postgres' escapeLiteral does).
 */
export function pgLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("NUL cannot be in a PostgreSQL literal");
  const quoted = value.replaceAll("'", "''");
  return value.includes("\\") ? ` E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}

/** The pieces as one SQL text with every value inlined as a typed literal: for COPY, which takes no parameters. */
export function toInlineSql(pieces: Piece[]): string {
  return pieces.map((p) => (typeof p === "string" ? p : `${pgLiteral(p.value)}::${p.cast}`)).join("");
}

export type { Piece };
