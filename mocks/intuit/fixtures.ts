// Static data the emulator serves: sandbox and production companies and their QuickBooks records.
// Shapes follow what Intuit returns (see /work/shared/intuit.md §4), trimmed to what the app reads.
// Charts of accounts: the demo chart (db/demo-chart.ts) for the demo tenants' companies, the same chart with
// zero balances for the Canadian one, and 5,000 generated accounts for "Sandbox Company_Large". The balances here are
// what the fixtures' books say on the day the emulator starts; journal.ts restates them as dated journal entries,
// from which every balance the emulator answers derives.
//
// Sandbox and production (intuit.md §1, §10): one emulator plays both on one host, told apart as Intuit tells them
// apart, by the app's keys. The development keys (DEFAULT_CLIENT_ID) reach the sandbox companies only, the production
// keys (DEFAULT_PRODUCTION_CLIENT_ID) the production companies only; a token used on the other environment's company
// gets the gateway's 403. The production companies hold the demo tenants' books under other realm ids and other
// account ids, with the same account numbers and names.

import { DEMO_PRODUCTION_REALMS, DEMO_REALMS, DEMO_TENANT_SLUGS, demoProductionAccountId, demoQboAccounts, type DemoTenantSlug } from "../../db/demo-chart";
import { intuitLocalTime } from "./intuit-time";

/** The emulator's development keys: they connect sandbox companies (Intuit's "Development" keys). */
export const DEFAULT_CLIENT_ID = "emulator-client-id";
export const DEFAULT_CLIENT_SECRET = "emulator-client-secret";
/** The emulator's production keys: they connect production companies, and only those. */
export const DEFAULT_PRODUCTION_CLIENT_ID = "emulator-production-client-id";
export const DEFAULT_PRODUCTION_CLIENT_SECRET = "emulator-production-client-secret";
/** The verifier token the emulator signs webhooks with (Intuit shows its own in the developer portal). */
export const DEFAULT_WEBHOOK_VERIFIER_TOKEN = "emulator-webhook-verifier-token";

/** The scope every QuickBooks Online accounting integration needs; the emulator refuses grants without it. */
export const ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

/** Scopes Intuit recognises (jsclient `OAuthClient.scopes` plus a granular example). Anything else is invalid_scope. */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set([
  ACCOUNTING_SCOPE,
  "com.intuit.quickbooks.payment",
  "com.intuit.quickbooks.payroll",
  "com.intuit.quickbooks.payroll.timetracking",
  "com.intuit.quickbooks.payroll.benefits",
  "payroll.compensation.read",
  "openid",
  "profile",
  "email",
  "phone",
  "address",
]);

export type CompanyEnvironment = "sandbox" | "production";

export interface EmulatorCompany {
  realmId: string;
  /** Which keys reach it: development keys the sandbox companies, production keys the production ones. */
  environment: CompanyEnvironment;
  companyName: string;
  legalName: string;
  country: string;
  email: string;
  city: string;
  region: string;
  postalCode: string;
  line1: string;
  phone: string;
  currency: { value: string; name: string };
  /** CompanyInfo FiscalYearStartMonth, 1 to 12; where the year's profit and loss starts and prior years close. Default 1. */
  fiscalYearStartMonth?: number;
}

/** The name the emulator used before production companies existed; every company is an EmulatorCompany. */
export type SandboxCompany = EmulatorCompany;

/** "Sandbox Company_Large": a chart far beyond one page, 5,000 accounts (100 of them inactive), generated the same every time. */
export const LARGE_COMPANY_REALM_ID = "9341452000000099";

export const SANDBOX_COMPANIES: readonly EmulatorCompany[] = [
  {
    realmId: "9341452000000001",
    environment: "sandbox",
    companyName: "Sandbox Company_US_1",
    legalName: "Sandbox Company_US_1",
    country: "USA",
    email: "noreply@quickbooks.com",
    line1: "123 Sierra Way",
    city: "San Pablo",
    region: "CA",
    postalCode: "87999",
    phone: "(650) 944-4444",
    currency: { value: "USD", name: "United States Dollar" },
  },
  {
    realmId: "9341452000000002",
    environment: "sandbox",
    companyName: "Sandbox Company_US_2",
    legalName: "Sandbox Company_US_2 LLC",
    country: "USA",
    email: "books@example.com",
    line1: "2700 Coast Ave",
    city: "Mountain View",
    region: "CA",
    postalCode: "94043",
    phone: "(650) 555-0100",
    currency: { value: "USD", name: "United States Dollar" },
  },
  {
    realmId: "9341452000000003",
    environment: "sandbox",
    companyName: "Sandbox Company_CA_1",
    legalName: "Sandbox Company_CA_1 Ltd.",
    country: "CAN",
    email: "ledger@example.ca",
    line1: "5100 Spectrum Way",
    city: "Mississauga",
    region: "ON",
    postalCode: "L4W 5S2",
    phone: "(905) 555-0199",
    currency: { value: "CAD", name: "Canadian Dollar" },
  },
  {
    realmId: LARGE_COMPANY_REALM_ID,
    environment: "sandbox",
    companyName: "Sandbox Company_Large",
    legalName: "Sandbox Company_Large Inc.",
    country: "USA",
    email: "controller@example.com",
    line1: "400 Industrial Pkwy",
    city: "Sacramento",
    region: "CA",
    postalCode: "95814",
    phone: "(916) 555-0142",
    currency: { value: "USD", name: "United States Dollar" },
  },
];

/**
 * The demo tenants' production companies (db/demo-chart.ts DEMO_PRODUCTION_REALMS): real companies, reached only with
 * production keys, holding the same books as the tenants' sandbox companies under other account ids.
 */
export const PRODUCTION_COMPANIES: readonly EmulatorCompany[] = [
  {
    realmId: DEMO_PRODUCTION_REALMS.acme,
    environment: "production",
    companyName: "Acme Field Services",
    legalName: "Acme Field Services LLC",
    country: "USA",
    email: "accounts@acme-field.example",
    line1: "1800 Harbor Blvd",
    city: "Oakland",
    region: "CA",
    postalCode: "94607",
    phone: "(510) 555-0170",
    currency: { value: "USD", name: "United States Dollar" },
  },
  {
    realmId: DEMO_PRODUCTION_REALMS.globex,
    environment: "production",
    companyName: "Globex Logistics",
    legalName: "Globex Logistics Inc.",
    country: "USA",
    email: "finance@globex-logistics.example",
    line1: "77 Freight Way",
    city: "Stockton",
    region: "CA",
    postalCode: "95206",
    phone: "(209) 555-0133",
    currency: { value: "USD", name: "United States Dollar" },
  },
];

/** The companies an app's keys for this environment can connect, as the consent page lists them. */
export function companiesOf(environment: CompanyEnvironment): readonly EmulatorCompany[] {
  return environment === "production" ? PRODUCTION_COMPANIES : SANDBOX_COMPANIES;
}

/**
 * Load-test companies: any realm id of the form 93414530000NNNNN (N digits) is a small sandbox company, so that
 * soak and load tests can connect hundreds of tenants through the real consent path (a realm belongs to one tenant at
 * a time). They are not listed on the consent page; the consent form must name one.
 */
export const LOAD_TEST_REALM_PREFIX = "93414530000";
const LOAD_TEST_REALM = /^93414530000(\d{5})$/;

export function loadTestRealmId(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99_999) throw new Error(`load-test company number out of range: ${n}`);
  return `${LOAD_TEST_REALM_PREFIX}${String(n).padStart(5, "0")}`;
}

function loadTestCompany(realmId: string): EmulatorCompany | undefined {
  const n = LOAD_TEST_REALM.exec(realmId)?.[1];
  if (n === undefined) return undefined;
  const name = `Load Test Company_${Number(n)}`;
  return {
    realmId,
    environment: "sandbox",
    companyName: name,
    legalName: `${name} LLC`,
    country: "USA",
    email: "loadtest@example.com",
    line1: "1 Test Street",
    city: "San Diego",
    region: "CA",
    postalCode: "92101",
    phone: "(619) 555-0100",
    currency: { value: "USD", name: "United States Dollar" },
  };
}

/** A company of either environment, by realm id. */
export function findCompany(realmId: string): EmulatorCompany | undefined {
  return SANDBOX_COMPANIES.find((company) => company.realmId === realmId) ?? PRODUCTION_COMPANIES.find((company) => company.realmId === realmId) ?? loadTestCompany(realmId);
}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;

/** The company's first month of the fiscal year, 1 to 12. */
export function fiscalYearStartMonthOf(company: EmulatorCompany | undefined): number {
  return company?.fiscalYearStartMonth ?? 1;
}

// A fixed creation date keeps fixtures stable between runs (snapshots, e2e screenshots).
const CREATED_AT = "2024-03-04T09:15:27-08:00";
const UPDATED_AT = "2025-09-30T14:02:11-07:00";

export function companyInfoRecord(company: EmulatorCompany): Record<string, unknown> {
  const address = {
    Id: "1",
    Line1: company.line1,
    City: company.city,
    CountrySubDivisionCode: company.region,
    PostalCode: company.postalCode,
  };
  return {
    CompanyName: company.companyName,
    LegalName: company.legalName,
    CompanyAddr: address,
    CustomerCommunicationAddr: address,
    LegalAddr: address,
    PrimaryPhone: { FreeFormNumber: company.phone },
    CompanyStartDate: "2024-03-04",
    FiscalYearStartMonth: MONTH_NAMES[fiscalYearStartMonthOf(company) - 1],
    Country: company.country,
    Email: { Address: company.email },
    WebAddr: {},
    SupportedLanguages: "en",
    NameValue: [
      { Name: "NeoEnabled", Value: "true" },
      { Name: "IndustryType", Value: "Landscaping Services" },
      { Name: "CompanyType", Value: "Other/None" },
      { Name: "SubscriptionStatus", Value: "SUBSCRIBED" },
      { Name: "OfferingSku", Value: "QuickBooks Online Plus" },
      { Name: "PayrollFeature", Value: "false" },
    ],
    domain: "QBO",
    sparse: false,
    Id: "1",
    SyncToken: "4",
    MetaData: { CreateTime: CREATED_AT, LastUpdatedTime: UPDATED_AT },
  };
}

/** An account as the fixtures define it; accounts.ts turns it into mutable state and Intuit's JSON. */
export interface AccountSeed {
  id: string;
  name: string;
  /** AcctNum, when the company numbers its accounts. */
  acctNum?: string;
  /** Its Classification follows from it (accounts.ts derives it, as QuickBooks does). */
  accountType: string;
  accountSubType: string;
  /**
   * What the fixtures' books say, a decimal string with two places in the account's natural sign (db/demo-chart.ts):
   * a balance-sheet account's balance, an income or expense account's fiscal year to date. Not served as such:
   * journal.ts restates every company's balances as journal entries (restateBalances), and every balance derives
   * from them.
   */
  balance: string;
  active: boolean;
  parentId?: string;
  createTime: string;
  lastUpdatedTime: string;
}

/** Acme's and Globex's companies serve the demo chart (db/demo-chart.ts) with their own balances. */
const DEMO_REALM_TENANTS: ReadonlyMap<string, DemoTenantSlug> = new Map(DEMO_TENANT_SLUGS.map((slug) => [DEMO_REALMS[slug], slug]));
const DEMO_PRODUCTION_REALM_TENANTS: ReadonlyMap<string, DemoTenantSlug> = new Map(DEMO_TENANT_SLUGS.map((slug) => [DEMO_PRODUCTION_REALMS[slug], slug]));

/** The demo chart with a tenant's balances (zero for null); in a production company under its production ids. */
function demoChartSeeds(tenant: DemoTenantSlug | null, environment: CompanyEnvironment = "sandbox"): AccountSeed[] {
  return demoQboAccounts().map((account) => ({
    id: environment === "production" ? demoProductionAccountId(account.id) : account.id,
    name: account.name,
    ...(account.acctNum === undefined ? {} : { acctNum: account.acctNum }),
    accountType: account.accountType,
    accountSubType: account.accountSubType,
    // Any other company has the same chart with nothing posted yet.
    balance: tenant ? account.balances[tenant] : "0.00",
    active: account.active,
    createTime: CREATED_AT,
    lastUpdatedTime: UPDATED_AT,
  }));
}

export const LARGE_COMPANY_ACCOUNT_COUNT = 5000;

const LARGE_TEMPLATES: readonly { accountType: string; accountSubType: string; stem: string }[] = [
  { accountType: "Bank", accountSubType: "Checking", stem: "Branch Operating Account" },
  { accountType: "Other Current Asset", accountSubType: "Inventory", stem: "Van Stock" },
  { accountType: "Fixed Asset", accountSubType: "Vehicles", stem: "Service Truck" },
  { accountType: "Fixed Asset", accountSubType: "MachineryAndEquipment", stem: "Site Equipment" },
  { accountType: "Other Current Liability", accountSubType: "OtherCurrentLiabilities", stem: "Accrued Job Costs" },
  { accountType: "Long Term Liability", accountSubType: "NotesPayable", stem: "Fleet Loan" },
  { accountType: "Income", accountSubType: "ServiceFeeIncome", stem: "Service Revenue" },
  { accountType: "Income", accountSubType: "SalesOfProductIncome", stem: "Parts Revenue" },
  { accountType: "Cost of Goods Sold", accountSubType: "SuppliesMaterialsCogs", stem: "Job Materials" },
  { accountType: "Expense", accountSubType: "Auto", stem: "Fleet Fuel" },
  { accountType: "Expense", accountSubType: "RepairMaintenance", stem: "Site Repairs" },
  { accountType: "Expense", accountSubType: "Travel", stem: "Crew Travel" },
];

/**
 * Two accounts of the large company are the ones every QuickBooks company has: "Opening Balance Equity", which takes
 * the other side of the generated balances when journal.ts restates them (as QuickBooks does with opening balances
 * entered account by account), and "Retained Earnings", where prior fiscal years' profit closes. They replace the
 * generated accounts 10 and 20 (neither a parent nor a sub-account, both active), so the chart keeps its 5,000 ids
 * and its shape.
 */
const LARGE_OPENING_BALANCE_EQUITY_ID = "10";
const LARGE_RETAINED_EARNINGS_ID = "20";

/**
 * Account n (Id "n", 1 to 5,000) comes from the template of its block of ten; the first of each block is a parent and
 * the next two its sub-accounts; every 50th account is inactive with nothing on it. Last-updated times spread over
 * 2025, 90 minutes apart, so `where MetaData.LastUpdatedTime >= …` selects a tail of the chart.
 */
function largeCompanySeeds(): AccountSeed[] {
  const seeds: AccountSeed[] = [];
  const firstUpdate = Date.parse("2025-01-01T08:00:00Z");
  for (let n = 1; n <= LARGE_COMPANY_ACCOUNT_COUNT; n += 1) {
    const block = Math.floor((n - 1) / 10);
    const position = (n - 1) % 10;
    const template = LARGE_TEMPLATES[block % LARGE_TEMPLATES.length]!;
    const active = n % 50 !== 0;
    // A fixed pseudo-random amount up to 99,999.99; every seventh account is empty.
    const cents = !active || n % 7 === 0 ? 0 : (n * 7919 * 104_729) % 10_000_000;
    const equity =
      String(n) === LARGE_OPENING_BALANCE_EQUITY_ID
        ? { name: "Opening Balance Equity", accountType: "Equity", accountSubType: "OpeningBalanceEquity", cents: 0 }
        : String(n) === LARGE_RETAINED_EARNINGS_ID
          ? { name: "Retained Earnings", accountType: "Equity", accountSubType: "RetainedEarnings", cents }
          : null;
    seeds.push({
      id: String(n),
      name: equity?.name ?? `${template.stem} ${String(n).padStart(4, "0")}`,
      accountType: equity?.accountType ?? template.accountType,
      accountSubType: equity?.accountSubType ?? template.accountSubType,
      // Opening Balance Equity's follows from the others' (journal.ts).
      balance: ((equity?.cents ?? cents) / 100).toFixed(2),
      active,
      parentId: position === 1 || position === 2 ? String(n - position) : undefined,
      createTime: CREATED_AT,
      lastUpdatedTime: intuitLocalTime(firstUpdate + n * 90 * 60 * 1000),
    });
  }
  return seeds;
}

/** The chart a company starts with (and returns to on reset). */
export function accountSeeds(realmId: string): readonly AccountSeed[] {
  if (realmId === LARGE_COMPANY_REALM_ID) return largeCompanySeeds();
  const company = findCompany(realmId);
  if (!company) return [];
  if (company.environment === "production") return demoChartSeeds(DEMO_PRODUCTION_REALM_TENANTS.get(realmId) ?? null, "production");
  return demoChartSeeds(DEMO_REALM_TENANTS.get(realmId) ?? null);
}

/** Entities a query may name. Only Account, CompanyInfo and JournalEntry have rows; the rest answer an empty QueryResponse. */
export const QUERYABLE_ENTITIES: ReadonlySet<string> = new Set([
  "Account",
  "Bill",
  "CompanyInfo",
  "Customer",
  "Employee",
  "Estimate",
  "Invoice",
  "Item",
  "JournalEntry",
  "Payment",
  "Preferences",
  "Purchase",
  "TaxCode",
  "Vendor",
]);
