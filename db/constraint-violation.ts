/**
 * The name of the unique constraint an error violated (SQLSTATE 23505), or null. Drizzle keeps the driver's error as
 * `cause`; postgres.js names the constraint `constraint_name`, PGlite `constraint`. A unique violation is how two
 * writers racing for one row learn who won, so callers turn it into an answer instead of a 500.
 */
export function violatedUniqueConstraint(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const fields = current as { code?: unknown; constraint_name?: unknown; constraint?: unknown; cause?: unknown };
    if (fields.code === "23505") {
      const name = fields.constraint_name ?? fields.constraint;
      return typeof name === "string" ? name : null;
    }
    current = fields.cause;
  }
  return null;
}
