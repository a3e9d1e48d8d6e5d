/**
 * The one column list of every exported log: each column's name (the CSV header), its label on the logs page, the SQL
 * expression that reads it and its type. From that one definition come both CSV writers, which must produce the same
 * bytes for the same rows:
 * - PostgreSQL's own (`COPY (SELECT …) TO STDOUT WITH (FORMAT csv, HEADER)`): `copyExpression()` formats and
 *   neutralises each cell in SQL;
 * - a JavaScript CSV library fed in batches (PGlite, which cannot stream COPY): `rowExpression()` reads the raw value
 *   and `formatCell()` does the same formatting in JavaScript.
 *
 * Formats: times are ISO 8601 UTC with milliseconds (`2026-05-01T12:00:00.123Z`, sub-millisecond digits truncated);
 * NULL is an empty unquoted field, the empty string `""`; a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'` so that a spreadsheet never runs it as a formula (OWASP "CSV injection").
 */

export type LogName = "callback" | "refresh" | "webhook" | "access";
export const LOG_NAMES: readonly LogName[] = ["callback", "refresh", "webhook", "access"];

export type ColumnType = "text" | "integer" | "timestamp";

export interface LogColumn {
  /** CSV header and result alias: lower snake case, never needs quoting. */
  name: string;
  /** Heading on the logs page. */
  label: string;
  /** SQL of the raw value, over the log's FROM clause; a text column must yield text (cast enums with ::text). */
  sql: string;
  type: ColumnType;
}

/** The characters a spreadsheet may read as the start of a formula. */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

export function neutraliseFormula(value: string): string {
  return FORMULA_TRIGGERS.some((c) => value.startsWith(c)) ? `'${value}` : value;
}

const NEUTRALISE_SQL_SET = "('=', '+', '-', '@', E'\\t', E'\\r')";

function neutraliseSql(expression: string): string {
  return `case when left(${expression}, 1) in ${NEUTRALISE_SQL_SET} then '''' || ${expression} else ${expression} end`;
}

/** The expression of a column's final CSV text, for PostgreSQL's COPY. */
export function copyExpression(column: LogColumn): string {
  switch (column.type) {
    case "timestamp":
      // Cannot start with a formula character: a four-digit year comes first.
      return `to_char((${column.sql}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case "integer":
      return neutraliseSql(`(${column.sql})::text`);
    case "text":
      return neutraliseSql(`(${column.sql})`);
  }
}

/** The expression of a column's raw value, read by the batch path and the logs page (times as epoch milliseconds). */
export function rowExpression(column: LogColumn): string {
  switch (column.type) {
    case "timestamp":
      return `floor(extract(epoch from (${column.sql})) * 1000)::bigint`;
    case "integer":
      return `(${column.sql})`;
    case "text":
      return `(${column.sql})`;
  }
}

export type RawValue = string | number | bigint | boolean | null | undefined;

/** A raw value as text, before neutralisation: what the logs page shows (times are formatted by the page). */
export function cellText(column: LogColumn, raw: RawValue): string | null {
  if (raw === null || raw === undefined) return null;
  if (column.type === "timestamp") return new Date(Number(raw)).toISOString();
  return String(raw);
}

/** A raw value as its CSV cell text: the JavaScript twin of `copyExpression()`. */
export function formatCell(column: LogColumn, raw: RawValue): string | null {
  const text = cellText(column, raw);
  if (text === null || column.type === "timestamp") return text;
  return neutraliseFormula(text);
}

/**
 * Keys of `audit_events.details` that may leave the database in an export. Everything else is dropped, whatever a
 * future writer puts there: the allow-list, not a review of every `recordAudit` call, is what keeps secrets out.
 * (`secretLast4` of credentials.changed is deliberately absent.)
 */
export const AUDIT_DETAIL_KEYS = [
  "log",
  "filters",
  "from",
  "to",
  "outcome",
  "actor",
  "q",
  "cursor",
  "rows",
  "source",
  "created",
  "updated",
  "errors",
  "path",
  "status",
  "code",
  "kind",
  "trigger",
  "intuitTid",
  "environment",
  "pkce",
  "realmChanged",
  "previousStatus",
  "companyName",
  "accessTokenExpiresAt",
  "verifiedAt",
  "file",
  "requeued",
  "environmentChanged",
  "clientIdChanged",
  "secretChanged",
  "credentialsCleared",
  "redirectUri",
  "connectionInvalidated",
  "reason",
  "error",
  "email",
  "writer",
  "scope",
  "scopes",
  "method",
  "action",
  "name",
  "expiresAt",
] as const;

const auditDetailsSql = `coalesce((select jsonb_object_agg(d.key, d.value) from jsonb_each(a.details) as d(key, value) where d.key in (${AUDIT_DETAIL_KEYS.map((k) => `'${k}'`).join(", ")})), '{}'::jsonb)::text`;

/**
 * A folded row's repeats (lib/logs/repeat-fold.ts): how many times it happened (1 for a row that never folded) and
 * when last (empty when once). The row's own time column is the first occurrence.
 */
function repeatColumns(alias: string): LogColumn[] {
  return [
    { name: "count", label: "Times", sql: `${alias}.repeat_count`, type: "integer" },
    { name: "last_seen_at", label: "Last seen", sql: `${alias}.last_seen_at`, type: "timestamp" },
  ];
}

export const LOG_COLUMNS: Record<LogName, readonly LogColumn[]> = {
  callback: [
    { name: "id", label: "Id", sql: "c.id", type: "integer" },
    { name: "time", label: "Time", sql: "c.created_at", type: "timestamp" },
    { name: "outcome", label: "Outcome", sql: "c.outcome::text", type: "text" },
    { name: "code", label: "Code", sql: "c.error_code", type: "text" },
    { name: "message", label: "Message", sql: "c.message", type: "text" },
    { name: "user", label: "User", sql: "u.email", type: "text" },
    { name: "environment", label: "Environment", sql: "c.environment::text", type: "text" },
    { name: "realm_id", label: "Realm", sql: "c.realm_id", type: "text" },
    { name: "intuit_tid", label: "Intuit tid", sql: "c.intuit_tid", type: "text" },
    { name: "latency_ms", label: "Latency (ms)", sql: "c.latency_ms", type: "integer" },
    ...repeatColumns("c"),
  ],
  refresh: [
    { name: "id", label: "Id", sql: "r.id", type: "integer" },
    { name: "time", label: "Time", sql: "r.created_at", type: "timestamp" },
    { name: "trigger", label: "Trigger", sql: "r.trigger::text", type: "text" },
    { name: "outcome", label: "Outcome", sql: "r.outcome::text", type: "text" },
    { name: "code", label: "Code", sql: "r.error_code", type: "text" },
    { name: "message", label: "Message", sql: "r.message", type: "text" },
    { name: "environment", label: "Environment", sql: "r.environment::text", type: "text" },
    { name: "realm_id", label: "Realm", sql: "r.realm_id", type: "text" },
    { name: "intuit_tid", label: "Intuit tid", sql: "r.intuit_tid", type: "text" },
    { name: "old_access_expires_at", label: "Access token was until", sql: "r.old_access_expires_at", type: "timestamp" },
    { name: "new_access_expires_at", label: "Access token until", sql: "r.new_access_expires_at", type: "timestamp" },
    { name: "new_refresh_expires_at", label: "Refresh token until", sql: "r.new_refresh_expires_at", type: "timestamp" },
    {
      name: "refresh_token_rotated",
      label: "Rotated",
      sql: "case r.refresh_token_rotated when true then 'yes' when false then 'no' end",
      type: "text",
    },
    { name: "duration_ms", label: "Duration (ms)", sql: "r.duration_ms", type: "integer" },
  ],
  webhook: [
    { name: "id", label: "Id", sql: "w.id", type: "integer" },
    { name: "received_at", label: "Received", sql: "w.received_at", type: "timestamp" },
    { name: "status", label: "Status", sql: "w.status::text", type: "text" },
    { name: "signature", label: "Signature", sql: "w.signature", type: "text" },
    { name: "format", label: "Format", sql: "w.format", type: "text" },
    { name: "realm_ids", label: "Realms", sql: "array_to_string(w.realm_ids, ' ')", type: "text" },
    { name: "events", label: "Events", sql: "w.event_count", type: "integer" },
    { name: "new_events", label: "New", sql: "w.new_event_count", type: "integer" },
    { name: "max_delay_ms", label: "Max delay (ms)", sql: "w.max_delay_ms", type: "integer" },
    { name: "http_status", label: "HTTP", sql: "w.http_status", type: "integer" },
    { name: "error", label: "Error", sql: "w.error", type: "text" },
    ...repeatColumns("w"),
  ],
  access: [
    { name: "id", label: "Id", sql: "a.id", type: "integer" },
    { name: "time", label: "Time", sql: "a.created_at", type: "timestamp" },
    { name: "action", label: "Action", sql: "a.action", type: "text" },
    { name: "outcome", label: "Outcome", sql: "a.outcome::text", type: "text" },
    { name: "actor", label: "Actor", sql: "u.email", type: "text" },
    { name: "actor_api_key_id", label: "API key", sql: "a.actor_api_key_id::text", type: "text" },
    { name: "target", label: "Target", sql: "a.target", type: "text" },
    { name: "request_id", label: "Request id", sql: "a.request_id", type: "text" },
    { name: "ip", label: "IP", sql: "a.ip", type: "text" },
    { name: "user_agent", label: "User agent", sql: "a.user_agent", type: "text" },
    { name: "details", label: "Details", sql: auditDetailsSql, type: "text" },
    ...repeatColumns("a"),
  ],
};
