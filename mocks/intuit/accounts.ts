// Each company's chart of accounts, as mutable emulator state: tests and the control endpoint change an account
// (name, active, number, balance) or add one the way a QuickBooks user would, and queries and CDC then report the new
// state, with SyncToken and MetaData.LastUpdatedTime moved on as Intuit does. Charts are built from the fixtures on
// first use and dropped by reset().
//
// Balances are not kept here: they derive from the company's journal (journal.ts), and the book is given them.
// CurrentBalance (and CurrentBalanceWithSubAccounts) is today's balance and exists for balance-sheet accounts only
// (Asset, Liability and Equity classifications); income and expense accounts carry neither field (intuit.md §10).
// Its sign is the account's natural one, as before the journal existed and as db/demo-chart.ts states its balances:
// positive for an asset in debit and for a liability or equity account in credit, negative for a contra account.
//
// As in QuickBooks Online, an inactive ("deleted") account keeps its Id and is shown with " (deleted)" after its name;
// making it active again restores the name.

import { isBalanceSheet, type LedgerAccount } from "./journal";
import { intuitLocalTime } from "./intuit-time";
import { findCompany, type AccountSeed } from "./fixtures";
import type { ReportAccount } from "./reports";

export interface EmulatorAccount {
  id: string;
  name: string;
  /** AcctNum, or null when the account has no number. */
  acctNum: string | null;
  accountType: string;
  accountSubType: string;
  classification: string;
  active: boolean;
  parentId: string | null;
  /**
   * The account's own balance in cents, without sub-accounts, in its natural sign, from the journal as of the
   * emulator's today: a balance-sheet account's CurrentBalance; an income or expense account's fiscal year to date,
   * which QuickBooks does not serve on the Account.
   */
  balanceCents: number;
  syncToken: number;
  /** Intuit local times, e.g. "2025-09-30T14:02:11-07:00". */
  createTime: string;
  lastUpdatedTime: string;
}

/** An account as the book holds it: everything but the balance, which the journal gives. */
type AccountState = Omit<EmulatorAccount, "balanceCents">;

export interface AccountPatch {
  /**
   * The balance the account should have today, in its natural sign: a number (1234.5) or a decimal string
   * ("1234.50"), at most two places; for an income or expense account, its fiscal year to date. The store posts the
   * difference as an adjusting journal entry (store.ts).
   */
  balance?: number | string;
  active?: boolean;
  name?: string;
  /** AcctNum; null or "" removes it. Unique in the company, as QuickBooks requires. */
  acctNum?: string | null;
}

export interface NewAccount extends AccountPatch {
  name: string;
  accountType: string;
  accountSubType?: string;
  /** Default: one more than the highest numeric Id of the realm. */
  id?: string;
  parentId?: string;
}

/** Intuit's ValidationFault for a rejected change, surfaced by the control endpoint as a 400. */
export class AccountChangeError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

// jscpd:ignore-start
/**
 * QuickBooks' AccountType → Classification, from Intuit's Account reference. The app keeps its own copy
 * (lib/ledger/rules/account-types.ts) on purpose: the emulator models Intuit from its documentation, not from the app's
 * rules, so a mistake in the app's table fails a test instead of being served back to it
 * (lib/ledger/rules/account-types.test.ts checks that the two agree).
 */
const CLASSIFICATION_OF_TYPE: Readonly<Record<string, string>> = {
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
// jscpd:ignore-end

/** The Classification QuickBooks files an account of this AccountType under; an unknown type is a ValidationFault. */
export function classificationOfAccountType(accountType: string): string {
  const classification = CLASSIFICATION_OF_TYPE[accountType];
  if (!classification) throw new AccountChangeError(`Unknown AccountType: ${accountType}`);
  return classification;
}

/** Decimal (number or string with at most two places) → cents; throws for anything else. */
export function toCents(value: number | string): number {
  const text = typeof value === "number" ? value.toFixed(2) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match || (typeof value === "number" && Math.abs(value * 100 - Math.round(value * 100)) > 1e-6)) {
    throw new AccountChangeError(`Not an amount with at most two decimal places: ${value}`);
  }
  const cents = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

function fromSeed(seed: AccountSeed): AccountState {
  return {
    id: seed.id,
    name: seed.name,
    acctNum: seed.acctNum ?? null,
    accountType: seed.accountType,
    accountSubType: seed.accountSubType,
    classification: classificationOfAccountType(seed.accountType),
    active: seed.active,
    parentId: seed.parentId ?? null,
    syncToken: 0,
    createTime: seed.createTime,
    lastUpdatedTime: seed.lastUpdatedTime,
  };
}

export interface AccountBookOptions {
  now: () => number;
  seeds: (realmId: string) => readonly AccountSeed[];
  /** Each account's balance in cents, natural sign, as of the emulator's today (the journal's; absent: zero). */
  balances: (realmId: string) => ReadonlyMap<string, number>;
}

export function createAccountBook(options: AccountBookOptions) {
  /** Per realm, in creation order (the order a query without ORDERBY answers in). */
  const charts = new Map<string, Map<string, AccountState>>();

  function chart(realmId: string): Map<string, AccountState> {
    let accounts = charts.get(realmId);
    if (!accounts) {
      accounts = new Map(options.seeds(realmId).map((seed) => [seed.id, fromSeed(seed)]));
      charts.set(realmId, accounts);
    }
    return accounts;
  }

  function assertUniqueName(accounts: Map<string, AccountState>, name: string, parentId: string | null, exceptId?: string): void {
    for (const other of accounts.values()) {
      if (other.id !== exceptId && other.parentId === parentId && other.name.toLowerCase() === name.toLowerCase()) {
        // Intuit's 6240 "Duplicate Name Exists Error".
        throw new AccountChangeError(`Duplicate Name Exists Error: The name supplied already exists (Id ${other.id}).`);
      }
    }
  }

  /** The number to store (null: none); refuses one another account of the company has. */
  function cleanAcctNum(accounts: Map<string, AccountState>, acctNum: string | null, exceptId?: string): string | null {
    const trimmed = acctNum?.trim() ?? "";
    if (trimmed === "") return null;
    if (trimmed.length > 20 || trimmed.includes(":")) throw new AccountChangeError(`Invalid account number: ${JSON.stringify(acctNum)}`);
    for (const other of accounts.values()) {
      if (other.id !== exceptId && other.acctNum === trimmed) throw new AccountChangeError(`Duplicate account number: ${trimmed} is already used by account ${other.id}.`);
    }
    return trimmed;
  }

  function cleanName(name: string): string {
    const trimmed = name.trim();
    // QuickBooks refuses colons (they separate the levels of FullyQualifiedName) and names over 100 characters.
    if (!trimmed || trimmed.length > 100 || trimmed.includes(":") || trimmed.includes('"')) {
      throw new AccountChangeError(`Invalid account name: ${JSON.stringify(name)}`);
    }
    return trimmed;
  }

  function touch(account: AccountState): void {
    account.syncToken += 1;
    account.lastUpdatedTime = intuitLocalTime(options.now());
  }

  function withBalance(realmId: string, account: AccountState): EmulatorAccount {
    return { ...account, balanceCents: options.balances(realmId).get(account.id) ?? 0 };
  }

  /** Changes name, active and number (a balance is the store's: a journal entry). Always a new SyncToken. */
  function update(realmId: string, id: string, patch: Omit<AccountPatch, "balance">): AccountState {
    const accounts = chart(realmId);
    const account = accounts.get(id);
    if (!account) throw new AccountChangeError(`No account ${id} in realm ${realmId}`, 404);
    const name = patch.name === undefined ? undefined : cleanName(patch.name);
    if (name !== undefined) assertUniqueName(accounts, name, account.parentId, id);
    const acctNum = patch.acctNum === undefined ? undefined : cleanAcctNum(accounts, patch.acctNum, id);
    if (name !== undefined) account.name = name;
    if (acctNum !== undefined) account.acctNum = acctNum;
    if (patch.active !== undefined) account.active = patch.active;
    touch(account);
    return { ...account };
  }

  /** Checks a new account without adding it: add() would throw the same. */
  function check(realmId: string, input: NewAccount): void {
    const accounts = chart(realmId);
    classificationOfAccountType(input.accountType);
    const parentId = input.parentId ?? null;
    if (parentId !== null) {
      const parent = accounts.get(parentId);
      if (!parent) throw new AccountChangeError(`No parent account ${parentId} in realm ${realmId}`);
      if (parent.accountType !== input.accountType) throw new AccountChangeError("A sub-account must have its parent's AccountType.");
    }
    assertUniqueName(accounts, cleanName(input.name), parentId);
    if (input.acctNum !== undefined) cleanAcctNum(accounts, input.acctNum);
    if (input.id !== undefined && accounts.has(input.id)) throw new AccountChangeError(`Account ${input.id} already exists in realm ${realmId}`);
  }

  /** Adds the account (its balance is the store's: a journal entry). */
  function add(realmId: string, input: NewAccount): AccountState {
    check(realmId, input);
    const accounts = chart(realmId);
    const id = input.id ?? String(Math.max(0, ...[...accounts.keys()].map(Number).filter(Number.isFinite)) + 1);
    const now = intuitLocalTime(options.now());
    const account: AccountState = {
      id,
      name: cleanName(input.name),
      acctNum: input.acctNum === undefined ? null : cleanAcctNum(accounts, input.acctNum),
      accountType: input.accountType,
      accountSubType: input.accountSubType ?? "",
      classification: classificationOfAccountType(input.accountType),
      active: input.active ?? true,
      parentId: input.parentId ?? null,
      syncToken: 0,
      createTime: now,
      lastUpdatedTime: now,
    };
    accounts.set(id, account);
    return { ...account };
  }

  return {
    /** The realm's accounts as Intuit's JSON, in creation order: inactive ones included (queries filter them). */
    records(realmId: string): Record<string, unknown>[] {
      const accounts = chart(realmId);
      const currency = findCompany(realmId)?.currency ?? { value: "USD", name: "United States Dollar" };
      const balances = options.balances(realmId);
      const totals = totalsWithSubAccounts(accounts, balances);
      return [...accounts.values()].map((account) => accountRecord(account, accounts, balances, totals, currency));
    },
    /** One account as Intuit's JSON, or undefined. */
    record(realmId: string, id: string): Record<string, unknown> | undefined {
      const accounts = chart(realmId);
      const account = accounts.get(id);
      if (!account) return undefined;
      const currency = findCompany(realmId)?.currency ?? { value: "USD", name: "United States Dollar" };
      const balances = options.balances(realmId);
      return accountRecord(account, accounts, balances, totalsWithSubAccounts(accounts, balances), currency);
    },
    get(realmId: string, id: string): EmulatorAccount | undefined {
      const account = chart(realmId).get(id);
      return account && withBalance(realmId, account);
    },
    /** What the journal needs of every account: its classification and sub-type, by Id. */
    ledger(realmId: string): Map<string, LedgerAccount> {
      return new Map([...chart(realmId).values()].map((account) => [account.id, { classification: account.classification, accountSubType: account.accountSubType }]));
    },
    /** Every account as the reports name and order it. */
    reportAccounts(realmId: string): ReportAccount[] {
      const accounts = chart(realmId);
      return [...accounts.values()].map((account) => ({
        id: account.id,
        name: fullyQualifiedName(account, accounts),
        accountType: account.accountType,
        acctNum: account.acctNum,
        classification: account.classification,
        accountSubType: account.accountSubType,
      }));
    },
    update,
    check,
    add,
    reset(): void {
      charts.clear();
    },
  };
}

export type AccountBook = ReturnType<typeof createAccountBook>;

function totalsWithSubAccounts(accounts: Map<string, AccountState>, balances: ReadonlyMap<string, number>): Map<string, number> {
  const children = new Map<string, AccountState[]>();
  for (const account of accounts.values()) {
    if (account.parentId !== null) children.set(account.parentId, [...(children.get(account.parentId) ?? []), account]);
  }
  const totals = new Map<string, number>();
  const total = (account: AccountState, depth: number): number => {
    const known = totals.get(account.id);
    if (known !== undefined) return known;
    let sum = balances.get(account.id) ?? 0;
    if (depth < 10) for (const child of children.get(account.id) ?? []) sum += total(child, depth + 1);
    totals.set(account.id, sum);
    return sum;
  };
  for (const parentId of children.keys()) {
    const parent = accounts.get(parentId);
    if (parent) total(parent, 0);
  }
  return totals;
}

function displayName(account: AccountState): string {
  return account.active ? account.name : `${account.name} (deleted)`;
}

function fullyQualifiedName(account: AccountState, accounts: Map<string, AccountState>): string {
  const names = [displayName(account)];
  let parent = account.parentId === null ? undefined : accounts.get(account.parentId);
  for (let depth = 0; parent && depth < 10; depth += 1) {
    names.unshift(displayName(parent));
    parent = parent.parentId === null ? undefined : accounts.get(parent.parentId);
  }
  return names.join(":");
}

/**
 * Intuit's Account JSON (Account entity reference; the fields QuickBooks Online returns for minorversion 75).
 * AcctNum only when the account has a number; CurrentBalance and CurrentBalanceWithSubAccounts only for balance-sheet
 * accounts (intuit.md §10).
 */
function accountRecord(
  account: AccountState,
  accounts: Map<string, AccountState>,
  balances: ReadonlyMap<string, number>,
  totals: Map<string, number>,
  currency: { value: string; name: string },
): Record<string, unknown> {
  const own = balances.get(account.id) ?? 0;
  return {
    Name: displayName(account),
    SubAccount: account.parentId !== null,
    ...(account.parentId !== null ? { ParentRef: { value: account.parentId } } : {}),
    FullyQualifiedName: fullyQualifiedName(account, accounts),
    Active: account.active,
    Classification: account.classification,
    AccountType: account.accountType,
    AccountSubType: account.accountSubType,
    ...(account.acctNum === null ? {} : { AcctNum: account.acctNum }),
    ...(isBalanceSheet(account.classification) ? { CurrentBalance: own / 100, CurrentBalanceWithSubAccounts: (totals.get(account.id) ?? own) / 100 } : {}),
    CurrencyRef: currency,
    domain: "QBO",
    sparse: false,
    Id: account.id,
    SyncToken: String(account.syncToken),
    MetaData: { CreateTime: account.createTime, LastUpdatedTime: account.lastUpdatedTime },
  };
}
