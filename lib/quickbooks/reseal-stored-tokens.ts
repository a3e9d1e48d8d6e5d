import "server-only";
import { and, asc, eq, gt, isNotNull, notLike, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { db } from "@/db";
import { quickbooksConnections, tokenRevocations } from "@/db/schema";
import { tokenCipher } from "@/lib/crypto/cipher";
import { connectionTokenBinding, revocationTokenBinding } from "@/lib/crypto/token-binding";

/**
 * Brings every stored token to the current form: bound to its row and column (lib/crypto/token-binding.ts) and sealed
 * with the current key. Run at each start (lib/start-server.ts), in the background: tokens stored before binding
 * existed, or under a key since rotated, keep opening meanwhile, so nothing waits for it.
 *
 * Why at start-up rather than when a token is next read: most reads (the status, every API call) only read, and some
 * rows are never read again for months (an idle connection between renewals, a revocation waiting for Intuit), so an
 * upgrade on read would leave unbound values in the database indefinitely; a pass at start-up leaves none after the
 * first start of this version (old values keep opening until then). Each row is rewritten by one conditional UPDATE
 * that takes its row lock and writes only if the row still holds the values read, so a renewal, callback or
 * disconnect that wrote the row meanwhile (already in the bound form) wins, and two instances starting together do no
 * harm. The value itself never changes: a renewal in flight compares refresh tokens by value, not by their sealed text.
 */

const BATCH = 200;

export interface ResealResult {
  /** Rows rewritten. */
  connections: number;
  revocations: number;
  /** Values that do not open with any configured key: left as they are (readiness shows them as unreadable). */
  unreadable: number;
}

const notCurrent = (column: PgColumn): SQL => and(isNotNull(column), notLike(column, `v2.${tokenCipher().currentKeyId}.%`))!;

/** Reads the rows to rewrite a batch at a time, by id, and rewrites each; returns how many were rewritten. */
async function rewriteAll<T extends { id: string }>(read: (after: string) => Promise<T[]>, rewrite: (row: T) => Promise<number>): Promise<number> {
  let rewritten = 0;
  for (let after = "00000000-0000-0000-0000-000000000000"; ; ) {
    const rows = await read(after);
    for (const row of rows) rewritten += await rewrite(row);
    if (rows.length < BATCH) return rewritten;
    after = rows.at(-1)!.id;
  }
}

export async function resealStoredTokens(): Promise<ResealResult> {
  const cipher = tokenCipher();
  let unreadable = 0;
  /** The value in the current form; undefined when it opens with no configured key. */
  const reseal = (sealed: string | null, binding: string): string | null | undefined => {
    if (sealed === null || cipher.isBoundWithCurrentKey(sealed)) return sealed;
    try {
      return cipher.reseal(sealed, binding, binding);
    } catch {
      unreadable += 1;
      return undefined;
    }
  };

  const c = quickbooksConnections;
  const connections = await rewriteAll(
    (after) =>
      db()
        .select({ id: c.id, tenantId: c.tenantId, accessTokenEnc: c.accessTokenEnc, refreshTokenEnc: c.refreshTokenEnc })
        .from(c)
        .where(and(gt(c.id, after), or(notCurrent(c.accessTokenEnc), notCurrent(c.refreshTokenEnc))))
        .orderBy(asc(c.id))
        .limit(BATCH),
    async (row) => {
      const access = reseal(row.accessTokenEnc, connectionTokenBinding(row, "access_token_enc"));
      const refresh = reseal(row.refreshTokenEnc, connectionTokenBinding(row, "refresh_token_enc"));
      if (access === undefined || refresh === undefined) return 0;
      const unchanged = and(
        eq(c.id, row.id),
        eq(c.tenantId, row.tenantId),
        sql`${c.accessTokenEnc} is not distinct from ${row.accessTokenEnc}`,
        sql`${c.refreshTokenEnc} is not distinct from ${row.refreshTokenEnc}`,
      );
      return (await db().update(c).set({ accessTokenEnc: access, refreshTokenEnc: refresh }).where(unchanged).returning({ id: c.id })).length;
    },
  );

  const r = tokenRevocations;
  const revocations = await rewriteAll(
    (after) =>
      db()
        .select({ id: r.id, tenantId: r.tenantId, tokenEnc: r.tokenEnc })
        .from(r)
        .where(and(gt(r.id, after), notCurrent(r.tokenEnc)))
        .orderBy(asc(r.id))
        .limit(BATCH),
    async (row) => {
      const token = reseal(row.tokenEnc, revocationTokenBinding(row));
      if (!token || !row.tokenEnc) return 0;
      const unchanged = and(eq(r.id, row.id), eq(r.tenantId, row.tenantId), eq(r.tokenEnc, row.tokenEnc));
      return (await db().update(r).set({ tokenEnc: token }).where(unchanged).returning({ id: r.id })).length;
    },
  );
  return { connections, revocations, unreadable };
}
