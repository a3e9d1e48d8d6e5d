// The demo chart of accounts, defined once: AWRA's side (what the seed loads for the demo tenants) and QuickBooks'
// side (what the Intuit emulator serves for their sandbox companies, and for their production companies under other
// account ids with the same account numbers and names), for a field-services business that sells parts, runs service
// vehicles and employs field crews. Seed data, beside the seed: used by db/seed.ts, mocks/intuit/fixtures.ts and the
// tests. The emulator restates the QuickBooks balances as dated journal entries (mocks/intuit/journal.ts): they hold
// as of any day of the current fiscal year, the balance-sheet accounts' as balances, the income and expense accounts'
// as the fiscal year to date.
//
// Balances are decimal strings with two places, in each account's natural sign, as QuickBooks reports CurrentBalance:
// assets and expenses positive when in debit, liabilities, equity and income positive when in credit; contra accounts
// (allowances, accumulated depreciation, discounts, distributions) negative. In each realm the QuickBooks balances
// satisfy assets = liabilities + equity + income − expenses (tested).
//
// Most names are the same on both sides; a few differ the way real charts do ("Trade Debtors" in AWRA is "Accounts
// Receivable (A/R)" in QuickBooks), so matching by name is a useful suggestion, not an answer.
//
// QuickBooks' side names each account's AccountType only: its Classification follows from it, and the emulator derives
// it (mocks/intuit/accounts.ts) as Intuit does. No server-only imports, and nothing from lib/: the emulator imports
// this file too, and db/ sits under the domain code.

import type { LedgerAccountType } from "./schema/ledger";

export const DEMO_TENANT_SLUGS = ["acme", "globex"] as const;
export type DemoTenantSlug = (typeof DEMO_TENANT_SLUGS)[number];

/** The sandbox company each demo tenant connects (mocks/intuit/fixtures.ts SANDBOX_COMPANIES). */
export const DEMO_REALMS: Readonly<Record<DemoTenantSlug, string>> = {
  acme: "9341452000000001",
  globex: "9341452000000002",
};

/**
 * The production company each demo tenant connects with production keys (mocks/intuit/fixtures.ts
 * PRODUCTION_COMPANIES): the same books as its sandbox company, another company at Intuit, so every account has another
 * Id there (demoProductionAccountId) and the same AcctNum and FullyQualifiedName.
 */
export const DEMO_PRODUCTION_REALMS: Readonly<Record<DemoTenantSlug, string>> = {
  acme: "123146000000101",
  globex: "123146000000102",
};

/** An account as QuickBooks Online holds it. AccountType and AccountSubType are values QuickBooks Online (US) accepts. */
export interface DemoQboAccount {
  /** QuickBooks' Id in the sandbox companies: the external id mappings point at. Production ids differ (demoProductionAccountId). */
  id: string;
  name: string;
  /**
   * QuickBooks' account number (AcctNum), the same in every company that holds the chart: AWRA's code. QuickBooks'
   * own default accounts have none.
   */
  acctNum?: string;
  accountType: string;
  accountSubType: string;
  active: boolean;
  /** QuickBooks' CurrentBalance in each demo realm. */
  balances: Readonly<Record<DemoTenantSlug, string>>;
}

/** One line of the demo chart: AWRA's account and the QuickBooks account it corresponds to. */
export interface DemoChartAccount {
  code: string;
  name: string;
  type: LedgerAccountType;
  qbo: DemoQboAccount;
}

/** A balance AWRA deliberately holds differently from QuickBooks, for the reconciliation to find and explain. */
export interface DemoDifference {
  code: string;
  /** AWRA's balance (QuickBooks keeps the chart's). */
  awraBalance: string;
  reason: string;
}

function qbo(id: string, name: string, accountType: string, accountSubType: string, acme: string, globex: string, active = true, acctNum?: string): DemoQboAccount {
  return { id, name, ...(acctNum === undefined ? {} : { acctNum }), accountType, accountSubType, active, balances: { acme, globex } };
}

/** A line whose QuickBooks account has AWRA's name, unless `qboName` says otherwise. */
function line(code: string, name: string, type: LedgerAccountType, id: string, accountType: string, accountSubType: string, acme: string, globex: string, qboName = name): DemoChartAccount {
  return { code, name, type, qbo: qbo(id, qboName, accountType, accountSubType, acme, globex, true, code) };
}

export const DEMO_CHART: readonly DemoChartAccount[] = [
  // Assets
  line("1000", "Checking", "asset", "35", "Bank", "Checking", "48210.37", "126904.12"),
  line("1010", "Savings", "asset", "36", "Bank", "Savings", "25000.00", "60000.00"),
  line("1020", "Petty Cash", "asset", "37", "Bank", "CashOnHand", "350.00", "500.00"),
  line("1030", "Undeposited Funds", "asset", "4", "Other Current Asset", "UndepositedFunds", "2845.60", "0.00"),
  line("1100", "Trade Debtors", "asset", "84", "Accounts Receivable", "AccountsReceivable", "64318.45", "142770.80", "Accounts Receivable (A/R)"),
  line("1110", "Allowance for Doubtful Accounts", "asset", "85", "Other Current Asset", "AllowanceForBadDebts", "-3200.00", "-7100.00"),
  line("1200", "Inventory", "asset", "81", "Other Current Asset", "Inventory", "38912.18", "15402.66", "Inventory Asset"),
  line("1210", "Equipment Held for Resale", "asset", "82", "Other Current Asset", "Inventory", "12450.00", "0.00"),
  line("1300", "Prepaid Expenses", "asset", "3", "Other Current Asset", "PrepaidExpenses", "9600.00", "14250.00"),
  line("1320", "Employee Advances", "asset", "86", "Other Current Asset", "EmployeeCashAdvances", "600.00", "1250.00"),
  line("1400", "Work in Progress", "asset", "87", "Other Current Asset", "OtherCurrentAssets", "17842.30", "3210.00"),
  line("1500", "Service Vehicles", "asset", "38", "Fixed Asset", "Vehicles", "186500.00", "412000.00"),
  line("1510", "Accumulated Depreciation - Vehicles", "asset", "39", "Fixed Asset", "AccumulatedDepreciation", "-74600.00", "-151300.00"),
  line("1520", "Tools and Equipment", "asset", "40", "Fixed Asset", "MachineryAndEquipment", "92340.00", "58200.00"),
  line("1530", "Accumulated Depreciation - Equipment", "asset", "42", "Fixed Asset", "AccumulatedDepreciation", "-41553.00", "-23280.00"),
  line("1540", "Office Furniture and Computers", "asset", "43", "Fixed Asset", "FurnitureAndFixtures", "18760.00", "22400.00"),
  line("1600", "Security Deposits", "asset", "44", "Other Asset", "SecurityDeposits", "6500.00", "12000.00"),
  // Liabilities
  line("2000", "Trade Creditors", "liability", "33", "Accounts Payable", "AccountsPayable", "41276.90", "88415.25", "Accounts Payable (A/P)"),
  line("2010", "Company Credit Card", "liability", "41", "Credit Card", "CreditCard", "6482.17", "11930.44"),
  line("2100", "Sales Tax Payable", "liability", "45", "Other Current Liability", "SalesTaxPayable", "7918.55", "12604.10"),
  line("2110", "Payroll Liabilities", "liability", "46", "Other Current Liability", "PayrollTaxPayable", "14230.80", "31775.00"),
  line("2120", "Accrued Expenses", "liability", "47", "Other Current Liability", "OtherCurrentLiabilities", "8750.00", "15300.00"),
  line("2130", "Customer Deposits", "liability", "48", "Other Current Liability", "OtherCurrentLiabilities", "12500.00", "4000.00"),
  line("2140", "Accrued Wages", "liability", "49", "Other Current Liability", "OtherCurrentLiabilities", "9820.00", "22140.00"),
  line("2200", "Line of Credit", "liability", "50", "Other Current Liability", "LineOfCredit", "20000.00", "50000.00"),
  line("2300", "Equipment Loan", "liability", "51", "Long Term Liability", "NotesPayable", "48900.00", "0.00"),
  line("2310", "Vehicle Loans", "liability", "52", "Long Term Liability", "NotesPayable", "72350.00", "196400.00"),
  // Equity
  line("3000", "Common Stock", "equity", "53", "Equity", "CommonStock", "50000.00", "150000.00"),
  line("3100", "Retained Earnings", "equity", "2", "Equity", "RetainedEarnings", "64344.05", "70351.78"),
  line("3200", "Owner Distributions", "equity", "54", "Equity", "PartnerDistributions", "-12000.00", "-30000.00"),
  // Income
  line("4000", "Field Service Revenue", "income", "55", "Income", "ServiceFeeIncome", "312480.00", "584210.50"),
  line("4010", "Maintenance Contracts", "income", "56", "Income", "ServiceFeeIncome", "96300.00", "142800.00"),
  line("4020", "Installation Revenue", "income", "57", "Income", "ServiceFeeIncome", "58740.25", "0.00"),
  line("4100", "Parts Sales", "income", "79", "Income", "SalesOfProductIncome", "121655.40", "38420.75", "Sales of Product Income"),
  line("4200", "Freight Revenue", "income", "58", "Income", "OtherPrimaryIncome", "8215.00", "298415.90"),
  line("4300", "Discounts Given", "income", "59", "Income", "DiscountsRefundsGiven", "-4312.50", "-9870.00"),
  line("4900", "Interest Income", "income", "60", "Other Income", "InterestEarned", "318.44", "1204.67"),
  // Cost of goods sold
  line("5000", "Cost of Goods Sold", "expense", "80", "Cost of Goods Sold", "SuppliesMaterialsCogs", "72993.24", "23052.45"),
  line("5010", "Subcontractors", "expense", "61", "Cost of Goods Sold", "OtherCostsOfServiceCos", "38420.00", "96800.00"),
  line("5020", "Direct Labor", "expense", "62", "Cost of Goods Sold", "CostOfLaborCos", "128600.00", "201450.00"),
  line("5030", "Equipment Rental", "expense", "63", "Cost of Goods Sold", "EquipmentRentalCos", "9350.00", "18720.00"),
  line("5040", "Freight and Shipping Costs", "expense", "64", "Cost of Goods Sold", "ShippingFreightDeliveryCos", "3812.66", "61330.20"),
  // Expenses
  line("6000", "Salaries and Wages", "expense", "65", "Expense", "PayrollExpenses", "96420.00", "174300.00"),
  line("6010", "Payroll Taxes", "expense", "66", "Expense", "PayrollExpenses", "9642.00", "17430.00"),
  line("6020", "Employee Benefits", "expense", "67", "Expense", "OtherBusinessExpenses", "11880.00", "24600.00"),
  line("6100", "Rent or Lease", "expense", "68", "Expense", "RentOrLeaseOfBuildings", "36000.00", "72000.00"),
  line("6110", "Utilities", "expense", "69", "Expense", "Utilities", "6842.19", "14215.36"),
  line("6120", "Telephone and Internet", "expense", "70", "Expense", "Utilities", "4380.00", "7920.00"),
  line("6200", "Fuel", "expense", "71", "Expense", "Auto", "28614.72", "96318.40"),
  line("6210", "Vehicle Maintenance", "expense", "72", "Expense", "Auto", "12305.50", "41872.00"),
  line("6300", "Insurance", "expense", "73", "Expense", "Insurance", "15600.00", "39100.00"),
  line("6310", "Workers Compensation", "expense", "74", "Expense", "Insurance", "5940.00", "11300.00"),
  line("6400", "Repairs and Maintenance", "expense", "75", "Expense", "RepairMaintenance", "3912.40", "6188.75"),
  line("6410", "Small Tools and Supplies", "expense", "76", "Expense", "SuppliesMaterials", "7615.33", "3402.10"),
  line("6500", "Advertising and Marketing", "expense", "77", "Expense", "AdvertisingPromotional", "5250.00", "3800.00", "Advertising & Marketing"),
  line("6600", "Office Supplies", "expense", "78", "Expense", "OfficeGeneralAdministrativeExpenses", "2184.57", "4406.90"),
  line("6700", "Legal and Professional Fees", "expense", "83", "Expense", "LegalProfessionalFees", "8950.00", "15700.00"),
  line("6710", "Bank Fees", "expense", "8", "Expense", "BankCharges", "642.35", "1318.90", "Bank Charges"),
  line("7000", "Depreciation", "expense", "88", "Other Expense", "Depreciation", "18420.00", "41760.00"),
  line("7010", "Interest Expense", "expense", "89", "Expense", "InterestPaid", "5318.20", "13905.75"),
];

/**
 * QuickBooks accounts with no AWRA counterpart: the defaults every QuickBooks company has, with nothing posted, and
 * one inactive account (returned only by `where Active in (true,false)`).
 */
export const DEMO_QBO_ONLY_ACCOUNTS: readonly DemoQboAccount[] = [
  qbo("1", "Opening Balance Equity", "Equity", "OpeningBalanceEquity", "0.00", "0.00"),
  qbo("5", "Uncategorized Income", "Income", "OtherPrimaryIncome", "0.00", "0.00"),
  qbo("6", "Uncategorized Expense", "Expense", "OtherMiscellaneousServiceCost", "0.00", "0.00"),
  qbo("7", "Uncategorized Asset", "Other Current Asset", "OtherCurrentAssets", "0.00", "0.00"),
  qbo("90", "Old Petty Cash", "Bank", "CashOnHand", "0.00", "0.00", false),
];

/** Acme's AWRA ledger disagrees with QuickBooks on exactly these accounts; Globex's agrees everywhere. */
export const DEMO_DIFFERENCES: Readonly<Record<DemoTenantSlug, readonly DemoDifference[]>> = {
  acme: [
    { code: "1000", awraBalance: "50710.37", reason: "Deposit in transit: a 2,500.00 customer cheque banked on the last day of the month, not yet in QuickBooks." },
    { code: "1200", awraBalance: "38212.18", reason: "Stock count: 700.00 of damaged parts written off in AWRA; the adjusting journal is not yet posted in QuickBooks." },
    { code: "2000", awraBalance: "42461.90", reason: "Supplier invoice of 1,185.00 booked in AWRA on receipt; not yet entered as a bill in QuickBooks." },
  ],
  globex: [],
};

/** AWRA's demo ledger for a tenant: the chart with QuickBooks' balances, except where DEMO_DIFFERENCES says otherwise. */
export function demoLedgerFor(tenant: DemoTenantSlug): { code: string; name: string; type: LedgerAccountType; balance: string }[] {
  const differences = new Map(DEMO_DIFFERENCES[tenant].map((d) => [d.code, d.awraBalance]));
  return DEMO_CHART.map((a) => ({ code: a.code, name: a.name, type: a.type, balance: differences.get(a.code) ?? a.qbo.balances[tenant] }));
}

/** Every QuickBooks account of the demo companies, in the chart's order, then the QuickBooks-only ones. */
export function demoQboAccounts(): readonly DemoQboAccount[] {
  return [...DEMO_CHART.map((a) => a.qbo), ...DEMO_QBO_ONLY_ACCOUNTS];
}

/**
 * Each demo QuickBooks account's Id in the production companies. Intuit numbers a company's accounts as they are
 * created, so the production companies, set up later and in another order (the chart by account number, then
 * QuickBooks' defaults), number the same accounts differently: the ids overlap as a set (a sandbox id used in
 * production names some other account there, or none), but no account keeps its sandbox id.
 */
const PRODUCTION_IDS: ReadonlyMap<string, string> = (() => {
  const order = [...[...DEMO_CHART].sort((a, b) => a.code.localeCompare(b.code)).map((a) => a.qbo), ...DEMO_QBO_ONLY_ACCOUNTS];
  const ids = new Map<string, string>();
  let next = 1;
  for (const account of order) {
    // Should the sequence give an account its sandbox id (it does once), the account takes the next number instead.
    if (String(next) === account.id) next += 1;
    ids.set(account.id, String(next));
    next += 1;
  }
  return ids;
})();

/** The Id the production companies give the demo account whose sandbox Id is `sandboxId`; throws for any other id. */
export function demoProductionAccountId(sandboxId: string): string {
  const id = PRODUCTION_IDS.get(sandboxId);
  if (id === undefined) throw new Error(`Not a demo QuickBooks account: ${sandboxId}`);
  return id;
}
