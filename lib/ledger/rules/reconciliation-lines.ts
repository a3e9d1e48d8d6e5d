import { fromCents, toCents } from "./money";
import type { MappingUnderTest } from "./validate-mappings";

// A reconciliation's lines, drafted from the mapping set and QuickBooks' balances of the latest sync, and its totals.
// Pure: the use-cases read the rows and store the result.

/** What a draft needs of each AWRA account: its balance, and the QuickBooks account it is mapped to (if any). */
export type DraftSource = Pick<MappingUnderTest, "ledgerAccountId" | "code" | "name" | "balance" | "qboAccountId"> & { qboAccountName: string | null };

export interface LineDraft {
  ledgerAccountId: string | null;
  code: string;
  name: string;
  qboAccountId: string | null;
  qboAccountName: string | null;
  awraBalance: string;
  qboBalance: string | null;
  difference: string;
}

/** QuickBooks' name and CurrentBalance of each account, by its id, as the latest sync stored them. */
export type QboBalances = ReadonlyMap<string, { name: string; balance: string }>;

/**
 * One line per QuickBooks account (AWRA accounts that share one are added up against it), plus a line for each
 * unmapped AWRA account that has a balance: QuickBooks has nothing to hold it, so all of it is a difference.
 */
export function draftLines(set: readonly DraftSource[], qboBalances: QboBalances): LineDraft[] {
  const byTarget = new Map<string, DraftSource[]>();
  const lines: LineDraft[] = [];
  for (const row of set) {
    if (row.qboAccountId === null) {
      if (toCents(row.balance) !== 0) lines.push(unmappedLine(row));
      continue;
    }
    byTarget.set(row.qboAccountId, [...(byTarget.get(row.qboAccountId) ?? []), row]);
  }
  for (const [qboId, rows] of byTarget) lines.push(mappedLine(qboId, rows, qboBalances.get(qboId)));
  return lines.sort((a, b) => a.code.localeCompare(b.code, "en", { numeric: true }));
}

function unmappedLine(row: DraftSource): LineDraft {
  const balance = fromCents(toCents(row.balance));
  return { ledgerAccountId: row.ledgerAccountId, code: row.code, name: row.name, qboAccountId: null, qboAccountName: null, awraBalance: balance, qboBalance: null, difference: balance };
}

/** The AWRA accounts mapped to one QuickBooks account, added up against its balance (none when it was not synced). */
function mappedLine(qboId: string, rows: readonly DraftSource[], qbo: { name: string; balance: string } | undefined): LineDraft {
  const awra = rows.reduce((sum, row) => sum + toCents(row.balance), 0);
  const qboCents = qbo ? toCents(qbo.balance) : null;
  return {
    ledgerAccountId: rows.length === 1 ? rows[0]!.ledgerAccountId : null,
    code: rows.map((r) => r.code).join(" + "),
    name: rows.map((r) => r.name).join(" + "),
    qboAccountId: qboId,
    qboAccountName: qbo?.name ?? rows[0]!.qboAccountName,
    awraBalance: fromCents(awra),
    qboBalance: qboCents === null ? null : fromCents(qboCents),
    difference: fromCents(awra - (qboCents ?? 0)),
  };
}

/** What the totals read of a line, stored or drafted. */
export interface LineAmounts {
  awraBalance: string;
  qboBalance: string | null;
  difference: string;
  explanation: string | null;
}

export interface ReconciliationTotals {
  awra: string;
  qbo: string;
  difference: string;
  differences: number;
  unexplained: number;
}

export function totalsOf(lines: readonly LineAmounts[]): ReconciliationTotals {
  const differing = lines.filter((l) => toCents(l.difference) !== 0);
  return {
    awra: fromCents(lines.reduce((sum, l) => sum + toCents(l.awraBalance), 0)),
    qbo: fromCents(lines.reduce((sum, l) => sum + (l.qboBalance === null ? 0 : toCents(l.qboBalance)), 0)),
    difference: fromCents(lines.reduce((sum, l) => sum + toCents(l.difference), 0)),
    differences: differing.length,
    unexplained: differing.filter((l) => !l.explanation).length,
  };
}
