// Money as integer cents, so that sums and differences are exact: balances are numeric(18,2) decimal strings, and
// adding them as floats would leave 0.1 + 0.2 = 0.30000000000000004 in a reconciliation's totals.

/** "1250.50" (or 1250.5) → 125050. */
export const toCents = (amount: string | number): number => Math.round(Number(amount) * 100);

/** 125050 → "1250.50". */
export const fromCents = (cents: number): string => (cents / 100).toFixed(2);
