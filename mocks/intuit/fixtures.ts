// Static data the emulator serves: sandbox companies and their QuickBooks records.
// Shapes follow what Intuit's sandbox returns (see /work/shared/intuit.md §4), trimmed to what the app reads.
// Charts of accounts: the demo chart (db/demo-chart.ts) for the demo tenants' companies, the same chart with
// zero balances for the Canadian one, and 5,000 generated accounts for "Sandbox Company_Large".

import { DEMO_REALMS, DEMO_TENANT_SLUGS, demoQboAccounts, type DemoTenantSlug } from "../../db/demo-chart";
import { intuitLocalTime } from "./intuit-time";

export const DEFAULT_CLIENT_ID = "emulator-client-id";
export const DEFAULT_CLIENT_SECRET = "emulator-client-secret";
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

export interface SandboxCompany {
  realmId: string;
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
}

/** "Sandbox Company_Large": a chart far beyond one page, 5,000 accounts (100 of them inactive), generated the same every time. */
export const LARGE_COMPANY_REALM_ID = "9341452000000099";

export const SANDBOX_COMPANIES: readonly SandboxCompany[] = [
  {
    realmId: "9341452000000001",
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

function loadTestCompany(realmId: string): SandboxCompany | undefined {
  const n = LOAD_TEST_REALM.exec(realmId)?.[1];
  if (n === undefined) return undefined;
  const name = `Load Test Company_${Number(n)}`;
  return {
    realmId,
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

export function findCompany(realmId: string): SandboxCompany | undefined {
  return SANDBOX_COMPANIES.find((company) => company.realmId === realmId) ?? loadTestCompany(realmId);
}

// A fixed creation date keeps fixtures stable between runs (snapshots, e2e screenshots).
const CREATED_AT = "2024-03-04T09:15:27-08:00";
const UPDATED_AT = "2025-09-30T14:02:11-07:00";

export function companyInfoRecord(company: SandboxCompany): Record<string, unknown> {
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
    FiscalYearStartMonth: "January",
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
  /** Its Classification follows from it (accounts.ts derives it, as QuickBooks does). */
  accountType: string;
  accountSubType: string;
  /** CurrentBalance, a decimal string with two places. */
  balance: string;
  active: boolean;
  parentId?: string;
  createTime: string;
  lastUpdatedTime: string;
}

/** Acme's and Globex's companies serve the demo chart (db/demo-chart.ts) with their own balances. */
const DEMO_REALM_TENANTS: ReadonlyMap<string, DemoTenantSlug> = new Map(DEMO_TENANT_SLUGS.map((slug) => [DEMO_REALMS[slug], slug]));

function demoChartSeeds(tenant: DemoTenantSlug | null): AccountSeed[] {
  return demoQboAccounts().map((account) => ({
    id: account.id,
    name: account.name,
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
    seeds.push({
      id: String(n),
      name: `${template.stem} ${String(n).padStart(4, "0")}`,
      accountType: template.accountType,
      accountSubType: template.accountSubType,
      balance: (cents / 100).toFixed(2),
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
  if (!findCompany(realmId)) return [];
  return demoChartSeeds(DEMO_REALM_TENANTS.get(realmId) ?? null);
}

/** Entities a query may name. Only Account and CompanyInfo have rows; the rest answer an empty QueryResponse. */
export const QUERYABLE_ENTITIES: ReadonlySet<string> = new Set([
  "Account",
  "Bill",
  "CompanyInfo",
  "Customer",
  "Employee",
  "Estimate",
  "Invoice",
  "Item",
  "Payment",
  "Preferences",
  "Purchase",
  "TaxCode",
  "Vendor",
]);
