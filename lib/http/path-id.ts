import type { AppError } from "@/lib/errors";

// The ids in a route's path (and the page's ?id=), read one way everywhere. A segment that cannot be an id names no
// row, so the route answers what it answers for a missing row: the caller passes its own not-found error, and a
// prober learns nothing from the difference. The check also keeps text the column's type cannot read (a bigint of 20
// digits, a uuid with a quote in it) away from the database, where it would fail the query instead of finding nothing.

/** Serial and identity ids: digits only, short enough that a JavaScript number holds them exactly. */
const NUMERIC_ID = /^\d{1,15}$/;
/** The hyphenated hex form of a uuid, in either case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A numeric id, or null when the text cannot be one. */
export function idOrNull(text: string): number | null {
  return NUMERIC_ID.test(text) ? Number(text) : null;
}

/** A numeric id from a path segment; throws `notFound()` when the segment cannot be one. */
export function parseId(segment: string, notFound: () => AppError): number {
  const id = idOrNull(segment);
  if (id === null) throw notFound();
  return id;
}

/** A uuid from a path segment; throws `notFound()` when the segment cannot be one. */
export function parseUuid(segment: string, notFound: () => AppError): string {
  if (!UUID.test(segment)) throw notFound();
  return segment;
}

/** The second argument of a route handler under an `[id]` folder. */
export type IdRouteContext = { params: Promise<{ id: string }> };
