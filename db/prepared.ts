import { fillPlaceholders, sql, type Placeholder, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { databaseHandle } from "./index";
import { rowsOf } from "./rows";

const dialect = new PgDialect();

/**
 * A statement the app sends many times a second (the session's membership on every request, the status poll, storing
 * webhook deliveries), written once with named placeholders and run as a prepared statement on PostgreSQL:
 * - its text is compiled once, not at every call (drizzle rebuilds a query's text each time it runs: about 70 µs of
 *   app CPU for the status statement);
 * - the server plans it once per connection, not at every call: drizzle sends every query it has not been given a
 *   name for unprepared, and planning a statement of a dozen sub-selects costs several times more than running it
 *   (measured on the status statement: about 2 ms of PostgreSQL CPU a poll, 0.25 ms once prepared).
 * PGlite runs the same text with the same parameters. Only outside a transaction: a transaction has its own
 * connection.
 *
 *   const findThing = preparedStatement<Row, "id">((p) => sql`select … where id = ${p.id}`);
 *   const rows = await findThing({ id });
 */
export function preparedStatement<Row, Name extends string>(
  build: (placeholders: Record<Name, Placeholder<Name>>) => SQL,
): (values: Record<Name, unknown>) => Promise<Row[]> {
  let compiled: { text: string; params: unknown[] } | undefined;
  return async (values) => {
    compiled ??= compile(build);
    const params = fillPlaceholders(compiled.params, values);
    const handle = databaseHandle();
    if (handle.sql) return (await handle.sql.unsafe(compiled.text, params as never[], { prepare: true })) as unknown as Row[];
    return rowsOf<Row>(await handle.pglite!.query(compiled.text, params));
  };
}

function compile<Name extends string>(build: (placeholders: Record<Name, Placeholder<Name>>) => SQL): { text: string; params: unknown[] } {
  const placeholders = new Proxy({} as Record<Name, Placeholder<Name>>, { get: (_, name) => sql.placeholder(String(name)) });
  const { sql: text, params } = dialect.sqlToQuery(build(placeholders));
  return { text, params };
}
