import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";

/** The marks the background jobs keep (db/schema/background.ts sweep_marks). */
export type SweepMark = "sweeps" | "webhook_evidence" | "governor" | "webhook_refused" | "usage_alerts" | "hard_expiry_warnings";

type Previous = { previous: string | Date | null };
const asDate = (value: string | Date | null | undefined) => (value === null || value === undefined ? null : new Date(value));

/**
 * Moves the mark to `at` (never back) and answers where it was, in one statement: the row as it was before the upsert
 * (a CTE reads the statement's snapshot), or null the first time.
 */
export async function advanceMark(name: SweepMark, at: Date): Promise<Date | null> {
  const [row] = rowsOf<Previous>(
    await db().execute(sql`
      with prev as (select at from sweep_marks where name = ${name})
      insert into sweep_marks (name, at) values (${name}, ${at.toISOString()}::timestamptz)
      on conflict (name) do update set at = greatest(sweep_marks.at, excluded.at)
      returning (select at from prev) as previous`),
  );
  return asDate(row?.previous);
}

/**
 * Takes the mark for work done at most every `everyMs` across instances: true (and the mark moved to `at`) when it
 * was never taken or was last taken `everyMs` ago or more; false otherwise. Two instances racing: one wins.
 */
export async function claimMark(name: SweepMark, at: Date, everyMs: number): Promise<boolean> {
  const due = new Date(at.getTime() - everyMs).toISOString();
  const rows = rowsOf<{ name: string }>(
    await db().execute(sql`
      insert into sweep_marks (name, at) values (${name}, ${at.toISOString()}::timestamptz)
      on conflict (name) do update set at = excluded.at where sweep_marks.at <= ${due}::timestamptz
      returning name`),
  );
  return rows.length > 0;
}
