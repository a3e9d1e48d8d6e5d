// Static data the emulator serves: sandbox companies and their QuickBooks records.
// Shapes follow what Intuit's sandbox returns (see /work/shared/intuit.md §4), trimmed to what the app reads.

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
];

export function findCompany(realmId: string): SandboxCompany | undefined {
  return SANDBOX_COMPANIES.find((company) => company.realmId === realmId);
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

interface AccountSeed {
  id: string;
  name: string;
  classification: string;
  accountType: string;
  accountSubType: string;
  balance: number;
}

const ACCOUNT_SEEDS: readonly AccountSeed[] = [
  { id: "35", name: "Checking", classification: "Asset", accountType: "Bank", accountSubType: "Checking", balance: 1201 },
  { id: "36", name: "Savings", classification: "Asset", accountType: "Bank", accountSubType: "Savings", balance: 800 },
  {
    id: "84",
    name: "Accounts Receivable (A/R)",
    classification: "Asset",
    accountType: "Accounts Receivable",
    accountSubType: "AccountsReceivable",
    balance: 5281.52,
  },
  {
    id: "79",
    name: "Sales of Product Income",
    classification: "Revenue",
    accountType: "Income",
    accountSubType: "SalesOfProductIncome",
    balance: 0,
  },
];

export function accountRecords(company: SandboxCompany): Record<string, unknown>[] {
  return ACCOUNT_SEEDS.map((seed) => ({
    Name: seed.name,
    SubAccount: false,
    FullyQualifiedName: seed.name,
    Active: true,
    Classification: seed.classification,
    AccountType: seed.accountType,
    AccountSubType: seed.accountSubType,
    CurrentBalance: seed.balance,
    CurrentBalanceWithSubAccounts: seed.balance,
    CurrencyRef: company.currency,
    domain: "QBO",
    sparse: false,
    Id: seed.id,
    SyncToken: "0",
    MetaData: { CreateTime: CREATED_AT, LastUpdatedTime: UPDATED_AT },
  }));
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
