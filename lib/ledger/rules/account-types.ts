import { ledgerAccountTypeEnum, type LedgerAccountType } from "@/db/schema/ledger";

// AWRA's account types and how they line up with QuickBooks Online's. QuickBooks files every account under one of
// five classifications (Asset, Liability, Equity, Revenue, Expense) and a finer AccountType; a mapping is sound when
// both sides sit in the same classification, so that balances keep their sign and their place in the statements.

/** AWRA's five account types: the database's enum, so a load can never hold a type the column refuses. */
export const LEDGER_ACCOUNT_TYPES = ledgerAccountTypeEnum.enumValues;
export type { LedgerAccountType };

export type QboClassification = "Asset" | "Liability" | "Equity" | "Revenue" | "Expense";

/** QuickBooks' AccountType → its classification (Intuit's Account entity reference). */
export const QBO_ACCOUNT_TYPE_CLASSIFICATION: Readonly<Record<string, QboClassification>> = {
  Bank: "Asset",
  "Accounts Receivable": "Asset",
  "Other Current Asset": "Asset",
  "Fixed Asset": "Asset",
  "Other Asset": "Asset",
  "Accounts Payable": "Liability",
  "Credit Card": "Liability",
  "Other Current Liability": "Liability",
  "Long Term Liability": "Liability",
  Equity: "Equity",
  Income: "Revenue",
  "Other Income": "Revenue",
  "Cost of Goods Sold": "Expense",
  Expense: "Expense",
  "Other Expense": "Expense",
};

const CLASSIFICATION_OF_LEDGER_TYPE: Readonly<Record<LedgerAccountType, QboClassification>> = {
  asset: "Asset",
  liability: "Liability",
  equity: "Equity",
  income: "Revenue",
  expense: "Expense",
};

/** The QuickBooks classification of an account: its own Classification when sent, else derived from AccountType. */
export function classificationOf(account: { classification?: string | null; accountType: string }): QboClassification | null {
  const given = account.classification as QboClassification | null | undefined;
  if (given && Object.values(CLASSIFICATION_OF_LEDGER_TYPE).includes(given)) return given;
  return QBO_ACCOUNT_TYPE_CLASSIFICATION[account.accountType] ?? null;
}

/** Whether an AWRA account of this type may post to this QuickBooks account: same classification. */
export function typesAreCompatible(ledgerType: LedgerAccountType, qbo: { classification?: string | null; accountType: string }): boolean {
  return classificationOf(qbo) === CLASSIFICATION_OF_LEDGER_TYPE[ledgerType];
}

export function expectedClassification(ledgerType: LedgerAccountType): QboClassification {
  return CLASSIFICATION_OF_LEDGER_TYPE[ledgerType];
}
