// The emulator's memory, one store per emulator: OAuth codes, grants and tokens (grants.ts), injected faults
// (fault-queue.ts), call counters, each realm's change log (change-log.ts, what CDC reports), each realm's chart of
// accounts (accounts.ts) and journal (journal.ts, where every balance comes from), each realm's API limits and their
// counters (realm-limits.ts) and each client id's monthly quota of metered reads (monthly-quota.ts), all on one clock
// that tests can move forward. No HTTP here: the handlers read and change the store through these functions.

import { AccountChangeError, classificationOfAccountType, createAccountBook, toCents, type AccountPatch, type EmulatorAccount, type NewAccount } from "./accounts";
import { createChangeLog } from "./change-log";
import { createFaultQueue } from "./fault-queue";
import { accountSeeds, findCompany, fiscalYearStartMonthOf } from "./fixtures";
import { createGrantBook } from "./grants";
import {
  JournalError,
  createJournal,
  fiscalYearStart,
  journalEntryRecord,
  localDate,
  naturalBalancesAsOf,
  naturalSign,
  openingBalanceEquityId,
  restateBalances,
  type JournalEntry,
  type JournalLine,
} from "./journal";
import { createMonthlyQuota } from "./monthly-quota";
import { createRealmLimiter } from "./realm-limits";
import { trialBalanceReport, type ReportRequest } from "./reports";

/** A journal entry as a test or the control endpoint posts it: amounts in currency units, one of debit or credit per line. */
export interface JournalEntryInput {
  /** TxnDate, "YYYY-MM-DD". */
  date: string;
  memo?: string;
  docNumber?: string;
  lines: readonly { accountId: string; debit?: number | string; credit?: number | string; description?: string }[];
}

export interface EmulatorCalls {
  discovery: number;
  authorize: number;
  decision: number;
  tokenAuthorizationCode: number;
  tokenRefreshToken: number;
  tokenOther: number;
  revoke: number;
  api: number;
  userinfo: number;
  jwks: number;
}

export interface StoreConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  now: () => number;
}

function emptyCalls(): EmulatorCalls {
  return {
    discovery: 0,
    authorize: 0,
    decision: 0,
    tokenAuthorizationCode: 0,
    tokenRefreshToken: 0,
    tokenOther: 0,
    revoke: 0,
    api: 0,
    userinfo: 0,
    jwks: 0,
  };
}

export function createEmulatorStore(config: StoreConfig) {
  // Mutated in place so a test holding `state.calls` always sees current numbers.
  const calls: EmulatorCalls = emptyCalls();
  let clockOffsetMs = 0;
  const now = (): number => config.now() + clockOffsetMs;
  const grants = createGrantBook({ ...config, now });
  const faults = createFaultQueue();
  const changeLog = createChangeLog(now);
  // On the emulator's clock, so advanceTime() slides the window as well.
  const limiter = createRealmLimiter(now);
  const fiscalStartMonth = (realmId: string) => fiscalYearStartMonthOf(findCompany(realmId));
  // The fixtures' books, restated as journal entries for the fiscal year that holds the day the realm is first used.
  const journal = createJournal({
    now,
    fixtures: (realmId, today) =>
      restateBalances(
        accountSeeds(realmId).map((seed) => ({
          id: seed.id,
          active: seed.active,
          classification: classificationOfAccountType(seed.accountType),
          accountSubType: seed.accountSubType,
          balanceCents: toCents(seed.balance),
        })),
        fiscalYearStart(today, fiscalStartMonth(realmId)),
      ),
  });
  const accounts = createAccountBook({ now, seeds: accountSeeds, balances: (realmId) => balancesToday(realmId) });
  const monthlyQuota = createMonthlyQuota(now);

  /** The company's today: the date part of the emulator's clock in the company's zone. */
  const today = (): string => localDate(now());

  /** Every account's balance today in its natural sign (fiscal year to date for income and expenses). */
  function balancesToday(realmId: string): Map<string, number> {
    return naturalBalancesAsOf(journal.entries(realmId), accounts.ledger(realmId), today(), fiscalStartMonth(realmId));
  }

  function currencyOf(realmId: string) {
    return findCompany(realmId)?.currency ?? { value: "USD", name: "United States Dollar" };
  }

  /** Entries as Intuit's JournalEntry JSON, each line's AccountRef named as the account is now. */
  function journalRecords(realmId: string, entries: readonly JournalEntry[]): Record<string, unknown>[] {
    const names = new Map(accounts.reportAccounts(realmId).map((account) => [account.id, account.name]));
    return entries.map((entry) => journalEntryRecord(entry, (id) => names.get(id), currencyOf(realmId)));
  }

  /**
   * The journal entry that brings an account to `target` cents (natural sign) today, its other side on Opening Balance
   * Equity, as QuickBooks books an account's opening balance; null when there is nothing to move. Throws
   * AccountChangeError when the company has no such account to post against.
   */
  function balancingEntry(realmId: string, accountId: string, classification: string, target: number, memo: string): { date: string; lines: JournalLine[]; memo: string } | null {
    const current = balancesToday(realmId).get(accountId) ?? 0;
    const delta = naturalSign(classification) * (target - current);
    if (delta === 0) return null;
    const equity = openingBalanceEquityId(accounts.ledger(realmId));
    if (equity === undefined) throw new AccountChangeError(`Realm ${realmId} has no Opening Balance Equity account to post a balance against.`);
    if (equity === accountId) throw new AccountChangeError("Opening Balance Equity holds the other side of balances set on other accounts; set theirs instead.");
    return { date: today(), memo, lines: [{ accountId, amountCents: delta }, { accountId: equity, amountCents: -delta }] };
  }

  /**
   * A change to an account made in QuickBooks: new SyncToken and LastUpdatedTime, and an Update that CDC reports.
   * A balance is not a field QuickBooks lets anyone set: the emulator turns it into an adjusting journal entry dated
   * today (the account against Opening Balance Equity, as QuickBooks posts an opening balance), which CDC reports as a
   * JournalEntry, and counts the change as an edit of the account too (it was one before the journal existed, and
   * editing an account's opening balance in QuickBooks is editing the account).
   */
  function updateAccount(realmId: string, id: string, patch: AccountPatch): EmulatorAccount {
    const { balance, ...rest } = patch;
    const before = accounts.get(realmId, id);
    if (!before) throw new AccountChangeError(`No account ${id} in realm ${realmId}`, 404);
    const adjustment = balance === undefined ? null : balancingEntry(realmId, id, before.classification, toCents(balance), `Balance of account ${id} set to ${balance}`);
    accounts.update(realmId, id, rest);
    if (adjustment) {
      const entry = journal.post(realmId, { ...adjustment, kind: "adjustment" });
      changeLog.recordChange(realmId, { entity: "JournalEntry", id: entry.id, operation: "Create" });
    }
    changeLog.recordChange(realmId, { entity: "Account", id, operation: "Update" });
    return accounts.get(realmId, id)!;
  }

  /** An account created in QuickBooks; CDC reports its Create, and its opening balance's JournalEntry when it has one. */
  function addAccount(realmId: string, input: NewAccount): EmulatorAccount {
    const { balance, ...rest } = input;
    const target = balance === undefined ? 0 : toCents(balance);
    accounts.check(realmId, rest);
    if (target !== 0 && openingBalanceEquityId(accounts.ledger(realmId)) === undefined) {
      throw new AccountChangeError(`Realm ${realmId} has no Opening Balance Equity account to post a balance against.`);
    }
    const account = accounts.add(realmId, rest);
    const opening = balancingEntry(realmId, account.id, account.classification, target, `Opening balance of ${account.name}`);
    if (opening) {
      const entry = journal.post(realmId, { ...opening, kind: "adjustment" });
      changeLog.recordChange(realmId, { entity: "JournalEntry", id: entry.id, operation: "Create" });
    }
    changeLog.recordChange(realmId, { entity: "Account", id: account.id, operation: "Create" });
    return accounts.get(realmId, account.id)!;
  }

  /**
   * A journal entry entered in QuickBooks now, dated `date` (any day, past or future): it moves the balances as of
   * that day on, and CDC reports a JournalEntry Create at the emulator's clock. The accounts it posts to do not change
   * (no new SyncToken, no Account in CDC). Throws JournalError: unknown company (404), an account the company does not
   * have or has made inactive, a line with both or neither of debit and credit, debits ≠ credits (400).
   */
  function postJournalEntry(realmId: string, input: JournalEntryInput): JournalEntry {
    if (!findCompany(realmId)) throw new JournalError(`No company ${realmId}`, 404);
    const lines = input.lines.map((line) => {
      const account = accounts.get(realmId, line.accountId);
      // Intuit's 2500 "Invalid Reference Id" and 610 "Object Not Found" (an inactive account).
      if (!account) throw new JournalError(`Invalid Reference Id: Accounts element id ${line.accountId} not found`);
      if (!account.active) throw new JournalError(`Object Not Found: account ${line.accountId} has been made inactive`);
      if ((line.debit === undefined) === (line.credit === undefined)) throw new JournalError(`Each line needs exactly one of debit and credit (account ${line.accountId}).`);
      let cents: number;
      try {
        cents = toCents(line.debit ?? line.credit!);
      } catch (error) {
        if (error instanceof AccountChangeError) throw new JournalError(error.message);
        throw error;
      }
      if (cents <= 0) throw new JournalError(`A line's amount must be positive (account ${line.accountId}).`);
      return { accountId: line.accountId, amountCents: line.debit !== undefined ? cents : -cents, ...(line.description ? { description: line.description } : {}) };
    });
    const entry = journal.post(realmId, { date: input.date, memo: input.memo, docNumber: input.docNumber, kind: "posted", lines });
    changeLog.recordChange(realmId, { entity: "JournalEntry", id: entry.id, operation: "Create" });
    return entry;
  }

  /** The Trial Balance document for a checked request (reports.ts). */
  function trialBalance(realmId: string, request: ReportRequest): Record<string, unknown> {
    return trialBalanceReport({
      request,
      accounts: accounts.reportAccounts(realmId),
      entries: journal.entries(realmId),
      fiscalYearStartMonth: fiscalStartMonth(realmId),
      currency: currencyOf(realmId).value,
      now: now(),
    });
  }

  function reset(): void {
    changeLog.reset();
    accounts.reset();
    journal.reset();
    grants.reset();
    faults.reset();
    Object.assign(calls, emptyCalls());
    clockOffsetMs = 0;
    limiter.reset();
    monthlyQuota.reset();
  }

  return {
    calls,
    now,
    advanceTime(seconds: number): void {
      clockOffsetMs += seconds * 1000;
    },
    issueAuthorizationCode: grants.issueAuthorizationCode,
    exchangeAuthorizationCode: grants.exchangeAuthorizationCode,
    refresh: grants.refresh,
    createGrants: grants.createGrants,
    grantRefreshStats: grants.grantRefreshStats,
    revokeByToken: grants.revokeByToken,
    revokeRealm: grants.revokeRealm,
    checkAccessToken: grants.checkAccessToken,
    activeTokens: grants.activeTokens,
    setRefreshTokenTtl: grants.setRefreshTokenTtl,
    setRotationGrace: grants.setRotationGrace,
    refreshTokenReuses: grants.refreshTokenReuses,
    setRealmFirstAuthorizedAt: grants.setRealmFirstAuthorizedAt,
    injectFault: faults.injectFault,
    takeFault: faults.takeFault,
    pendingFaults: faults.pendingFaults,
    recordChange: changeLog.recordChange,
    changes: changeLog.changes,
    accountRecords: accounts.records,
    accountRecord: accounts.record,
    account: accounts.get,
    updateAccount,
    addAccount,
    today,
    fiscalYearStartMonth: fiscalStartMonth,
    postJournalEntry,
    journalEntries: journal.entries,
    /** The realm's journal entries as Intuit's JournalEntry JSON, in the order entered. */
    journalRecords: (realmId: string) => journalRecords(realmId, journal.entries(realmId)),
    trialBalance,
    admitApiRequest: limiter.admit,
    limits: limiter.limits,
    setLimits: limiter.setLimits,
    limitStats: limiter.stats,
    admitMeteredRead: monthlyQuota.admitRead,
    setMonthlyQuota: monthlyQuota.setQuota,
    monthlyQuotaStats: monthlyQuota.stats,
    reset,
  };
}

export type EmulatorStore = ReturnType<typeof createEmulatorStore>;
