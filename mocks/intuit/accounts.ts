// Each sandbox company's chart of accounts, as mutable emulator state: tests and the control endpoint change an
// account (balance, name, active) or add one the way a QuickBooks user would, and queries and CDC then report the
// new state, with SyncToken and MetaData.LastUpdatedTime moved on as Intuit does. Charts are built from the fixtures
// on first use and dropped by reset().
//
// As in QuickBooks Online, an inactive ("deleted") account keeps its Id and is shown with " (deleted)" after its name;
// making it active again restores the name.

import { intuitLocalTime } from "./intuit-time";
import { findCompany, type AccountSeed } from "./fixtures";

export interface EmulatorAccount {
  id: string;
  name: string;
  accountType: string;
  accountSubType: string;
  classification: string;
  active: boolean;
  parentId: string | null;
  /** CurrentBalance in cents (the account's own, without sub-accounts). */
  balanceCents: number;
  syncToken: number;
  /** Intuit local times, e.g. "2025-09-30T14:02:11-07:00". */
  createTime: string;
  lastUpdatedTime: string;
}

export interface AccountPatch {
  /** A number (1234.5) or a decimal string ("1234.50"), at most two places. */
  balance?: number | string;
  active?: boolean;
  name?: string;
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

function fromSeed(seed: AccountSeed): EmulatorAccount {
  return {
    id: seed.id,
    name: seed.name,
    accountType: seed.accountType,
    accountSubType: seed.accountSubType,
    classification: classificationOfAccountType(seed.accountType),
    active: seed.active,
    parentId: seed.parentId ?? null,
    balanceCents: toCents(seed.balance),
    syncToken: 0,
    createTime: seed.createTime,
    lastUpdatedTime: seed.lastUpdatedTime,
  };
}

export function createAccountBook(options: { now: () => number; seeds: (realmId: string) => readonly AccountSeed[] }) {
  /** Per realm, in creation order (the order a query without ORDERBY answers in). */
  const charts = new Map<string, Map<string, EmulatorAccount>>();

  function chart(realmId: string): Map<string, EmulatorAccount> {
    let accounts = charts.get(realmId);
    if (!accounts) {
      accounts = new Map(options.seeds(realmId).map((seed) => [seed.id, fromSeed(seed)]));
      charts.set(realmId, accounts);
    }
    return accounts;
  }

  function assertUniqueName(accounts: Map<string, EmulatorAccount>, name: string, parentId: string | null, exceptId?: string): void {
    for (const other of accounts.values()) {
      if (other.id !== exceptId && other.parentId === parentId && other.name.toLowerCase() === name.toLowerCase()) {
        // Intuit's 6240 "Duplicate Name Exists Error".
        throw new AccountChangeError(`Duplicate Name Exists Error: The name supplied already exists (Id ${other.id}).`);
      }
    }
  }

  function cleanName(name: string): string {
    const trimmed = name.trim();
    // QuickBooks refuses colons (they separate the levels of FullyQualifiedName) and names over 100 characters.
    if (!trimmed || trimmed.length > 100 || trimmed.includes(":") || trimmed.includes('"')) {
      throw new AccountChangeError(`Invalid account name: ${JSON.stringify(name)}`);
    }
    return trimmed;
  }

  function touch(account: EmulatorAccount): void {
    account.syncToken += 1;
    account.lastUpdatedTime = intuitLocalTime(options.now());
  }

  function update(realmId: string, id: string, patch: AccountPatch): EmulatorAccount {
    const accounts = chart(realmId);
    const account = accounts.get(id);
    if (!account) throw new AccountChangeError(`No account ${id} in realm ${realmId}`, 404);
    const name = patch.name === undefined ? undefined : cleanName(patch.name);
    if (name !== undefined) assertUniqueName(accounts, name, account.parentId, id);
    const balanceCents = patch.balance === undefined ? undefined : toCents(patch.balance);
    if (name !== undefined) account.name = name;
    if (balanceCents !== undefined) account.balanceCents = balanceCents;
    if (patch.active !== undefined) account.active = patch.active;
    touch(account);
    return { ...account };
  }

  function add(realmId: string, input: NewAccount): EmulatorAccount {
    const accounts = chart(realmId);
    const classification = classificationOfAccountType(input.accountType);
    const parentId = input.parentId ?? null;
    if (parentId !== null) {
      const parent = accounts.get(parentId);
      if (!parent) throw new AccountChangeError(`No parent account ${parentId} in realm ${realmId}`);
      if (parent.accountType !== input.accountType) throw new AccountChangeError("A sub-account must have its parent's AccountType.");
    }
    const name = cleanName(input.name);
    assertUniqueName(accounts, name, parentId);
    const id = input.id ?? String(Math.max(0, ...[...accounts.keys()].map(Number).filter(Number.isFinite)) + 1);
    if (accounts.has(id)) throw new AccountChangeError(`Account ${id} already exists in realm ${realmId}`);
    const now = intuitLocalTime(options.now());
    const account: EmulatorAccount = {
      id,
      name,
      accountType: input.accountType,
      accountSubType: input.accountSubType ?? "",
      classification,
      active: input.active ?? true,
      parentId,
      balanceCents: input.balance === undefined ? 0 : toCents(input.balance),
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
      const totals = totalsWithSubAccounts(accounts);
      return [...accounts.values()].map((account) => accountRecord(account, accounts, totals, currency));
    },
    /** One account as Intuit's JSON, or undefined. */
    record(realmId: string, id: string): Record<string, unknown> | undefined {
      const accounts = chart(realmId);
      const account = accounts.get(id);
      if (!account) return undefined;
      const currency = findCompany(realmId)?.currency ?? { value: "USD", name: "United States Dollar" };
      return accountRecord(account, accounts, totalsWithSubAccounts(accounts), currency);
    },
    get(realmId: string, id: string): EmulatorAccount | undefined {
      const account = chart(realmId).get(id);
      return account && { ...account };
    },
    update,
    add,
    reset(): void {
      charts.clear();
    },
  };
}

export type AccountBook = ReturnType<typeof createAccountBook>;

function totalsWithSubAccounts(accounts: Map<string, EmulatorAccount>): Map<string, number> {
  const children = new Map<string, EmulatorAccount[]>();
  for (const account of accounts.values()) {
    if (account.parentId !== null) children.set(account.parentId, [...(children.get(account.parentId) ?? []), account]);
  }
  const totals = new Map<string, number>();
  const total = (account: EmulatorAccount, depth: number): number => {
    const known = totals.get(account.id);
    if (known !== undefined) return known;
    let sum = account.balanceCents;
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

function displayName(account: EmulatorAccount): string {
  return account.active ? account.name : `${account.name} (deleted)`;
}

function fullyQualifiedName(account: EmulatorAccount, accounts: Map<string, EmulatorAccount>): string {
  const names = [displayName(account)];
  let parent = account.parentId === null ? undefined : accounts.get(account.parentId);
  for (let depth = 0; parent && depth < 10; depth += 1) {
    names.unshift(displayName(parent));
    parent = parent.parentId === null ? undefined : accounts.get(parent.parentId);
  }
  return names.join(":");
}

/** Intuit's Account JSON (Account entity reference; the fields QuickBooks Online returns for minorversion 75). */
function accountRecord(account: EmulatorAccount, accounts: Map<string, EmulatorAccount>, totals: Map<string, number>, currency: { value: string; name: string }): Record<string, unknown> {
  const balance = account.balanceCents / 100;
  return {
    Name: displayName(account),
    SubAccount: account.parentId !== null,
    ...(account.parentId !== null ? { ParentRef: { value: account.parentId } } : {}),
    FullyQualifiedName: fullyQualifiedName(account, accounts),
    Active: account.active,
    Classification: account.classification,
    AccountType: account.accountType,
    AccountSubType: account.accountSubType,
    CurrentBalance: balance,
    CurrentBalanceWithSubAccounts: (totals.get(account.id) ?? account.balanceCents) / 100,
    CurrencyRef: currency,
    domain: "QBO",
    sparse: false,
    Id: account.id,
    SyncToken: String(account.syncToken),
    MetaData: { CreateTime: account.createTime, LastUpdatedTime: account.lastUpdatedTime },
  };
}
