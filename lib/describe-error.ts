// What of an error may be written to a log: the one place that decides it. Every console.error/console.warn of the
// product describes its error through describeError(), and at start-up Next.js's own error logging is routed through
// it too (installSafeErrorLogging), so a page that fails on a query does not print the query either.
//
// Why not the message: a failed query's message is Drizzle's "Failed query: <sql>\nparams: <values>", and both
// drivers hang the statement's parameters on their errors (PGlite enumerably, so util.inspect prints them). Those
// values are emails, IP addresses, sealed tokens. A database error is therefore described by its SQLSTATE and the
// names the server gives (constraint, table, column, routine), which say what failed without any row's data; even
// PostgreSQL's own first line can quote a value ('invalid input syntax for type uuid: "…"'), so it is left out too.
// Other errors keep the first line of their message, which our code and Intuit's fault texts write without data.
import { DrizzleQueryError } from "drizzle-orm";

/** The longest message line kept: enough for a sentence, not for a dump. */
const MAX_MESSAGE_LENGTH = 300;
/** Links of a cause chain described; a chain is a handful deep, and a cycle must not loop. */
const MAX_CHAIN = 4;

export interface ErrorFacts {
  name: string;
  /** SQLSTATE, a driver or socket code, an AppError code, Intuit's error code. */
  code?: string;
  /** Intuit's error kind (IntuitApiError): authentication, throttled, server… */
  kind?: string;
  status?: number;
  constraint?: string;
  table?: string;
  column?: string;
  /** The server function that raised it (PostgreSQL's `routine`), e.g. _bt_check_unique. */
  routine?: string;
  intuitTid?: string;
  /** First line only, and only when the error cannot hold a query or its parameters. */
  message?: string;
}

type Bag = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value.slice(0, 120) : undefined);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Drizzle's wrapper (its message is the statement and its parameters, the driver's error its cause), or any error the
 * drivers hung a statement's parameters on.
 */
function isQueryWrapper(error: Bag): boolean {
  return error instanceof DrizzleQueryError || "params" in error || "parameters" in error;
}

/** A PostgreSQL server error, from postgres.js (PostgresError) or PGlite (DatabaseError). */
function isServerError(error: Bag): boolean {
  return typeof error.code === "string" && SQLSTATE.test(error.code) && ("severity" in error || "routine" in error || "constraint_name" in error || "constraint" in error);
}

/**
 * Fixed names for the database's errors: class names are minified in a production build, Drizzle's wrapper keeps
 * Error's name, and PGlite names its errors after the protocol message ("error").
 */
function nameOf(error: Bag): string {
  if (error instanceof DrizzleQueryError) return "DrizzleQueryError";
  if (isServerError(error)) return "DatabaseError";
  return text(error.name) ?? "Error";
}

function firstLine(message: unknown): string | undefined {
  if (typeof message !== "string") return undefined;
  const line = message.split("\n", 1)[0]!.trim();
  return line === "" ? undefined : line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}…` : line;
}

/** The loggable facts of one error (not its causes). */
export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error !== "object" || error === null) return { name: `thrown ${typeof error}` };
  const e = error as Bag;
  const facts: ErrorFacts = { name: nameOf(e) };
  const code = text(e.code) ?? (typeof e.code === "number" ? String(e.code) : undefined);
  if (code) facts.code = code;
  if (typeof e.kind === "string") facts.kind = e.kind;
  if (typeof e.status === "number") facts.status = e.status;
  facts.constraint = text(e.constraint_name) ?? text(e.constraint);
  facts.table = text(e.table_name) ?? text(e.table);
  facts.column = text(e.column_name) ?? text(e.column);
  facts.routine = text(e.routine);
  facts.intuitTid = text(e.intuitTid);
  if (!isQueryWrapper(e) && !isServerError(e) && facts.name !== "ZodError") facts.message = firstLine(e.message);
  if (facts.name === "ZodError" && Array.isArray(e.issues)) facts.message = `${e.issues.length} invalid field(s)`;
  for (const key of Object.keys(facts) as (keyof ErrorFacts)[]) if (facts[key] === undefined) delete facts[key];
  return facts;
}

function format(facts: ErrorFacts): string {
  const { name, message, ...rest } = facts;
  const fields = Object.entries(rest).map(([key, value]) => `${key}=${value}`);
  return `${name}${fields.length ? ` [${fields.join(" ")}]` : ""}${message ? `: ${message}` : ""}`;
}

/** What went wrong and in which order (outermost first), e.g. "DrizzleQueryError ← PostgresError [code=23505 constraint=users_email_key table=users]". */
export function errorChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (chain.length < MAX_CHAIN && !seen.has(current)) {
    seen.add(current);
    chain.push(errorFacts(current));
    if (typeof current !== "object" || current === null) break;
    const inner = (current as Bag).errors;
    const next = (current as Bag).cause ?? (Array.isArray(inner) ? inner[0] : undefined);
    if (next === undefined || next === null) break;
    current = next;
  }
  return chain;
}

/** One line describing the error and its causes, with nothing a query carried. The only way errors reach a log. */
export function describeError(error: unknown): string {
  return errorChain(error).map(format).join(" ← ");
}

/** The stack's frames (file and line), without its first line, which repeats the message. */
function framesOf(error: unknown): string {
  if (!(error instanceof Error) || typeof error.stack !== "string") return "";
  const frames = error.stack.split("\n").filter((line) => /^\s+at /.test(line));
  return frames.length ? `\n${frames.join("\n")}` : "";
}

const installed = Symbol.for("qbc.safeErrorLogging");

/**
 * Routes every Error handed to console.error/warn/log/info (Next.js's own "⨯ Error: Failed query: …" included)
 * through describeError. Strings pass unchanged. In development the stack's frames follow, for the developer.
 */
export function installSafeErrorLogging(options: { frames: boolean; target?: Console }): void {
  const target = (options.target ?? console) as Console & { [installed]?: boolean };
  if (target[installed]) return;
  target[installed] = true;
  for (const method of ["error", "warn", "log", "info"] as const) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) =>
      original(...args.map((arg) => (arg instanceof Error ? `${describeError(arg)}${options.frames ? framesOf(arg) : ""}` : arg)));
  }
}
