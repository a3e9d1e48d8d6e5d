// The demo chart against the app's account-type rules and the emulator's Classification: test code, so it may use
// both (db/demo-chart.ts itself imports neither).
import { describe, expect, it } from "vitest";
import { classificationOf, LEDGER_ACCOUNT_TYPES, QBO_ACCOUNT_TYPE_CLASSIFICATION, typesAreCompatible } from "@/lib/ledger/rules/account-types";
import { classificationOfAccountType } from "@/mocks/intuit/accounts";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_QBO_ONLY_ACCOUNTS, DEMO_REALMS, DEMO_TENANT_SLUGS, demoLedgerFor, demoQboAccounts } from "@/db/demo-chart";

/** AccountSubType values QuickBooks Online (US) accepts for each AccountType (Intuit's Account reference, AccountSubTypeEnum). */
const QBO_SUBTYPES: Readonly<Record<string, readonly string[]>> = {
  Bank: ["CashOnHand", "Checking", "MoneyMarket", "RentsHeldInTrust", "Savings", "TrustAccounts", "CashAndCashEquivalents", "OtherEarMarkedBankAccounts"],
  "Accounts Receivable": ["AccountsReceivable"],
  "Other Current Asset": ["AllowanceForBadDebts", "DevelopmentCosts", "EmployeeCashAdvances", "OtherCurrentAssets", "Inventory", "Investment_MortgageRealEstateLoans", "Investment_Other", "Investment_TaxExemptSecurities", "Investment_USGovernmentObligations", "LoansToOfficers", "LoansToOthers", "LoansToStockholders", "PrepaidExpenses", "Retainage", "UndepositedFunds"],
  "Fixed Asset": ["AccumulatedDepletion", "AccumulatedDepreciation", "DepletableAssets", "FixedAssetComputers", "FixedAssetCopiers", "FixedAssetFurniture", "FixedAssetPhone", "FixedAssetPhotoVideo", "FixedAssetSoftware", "FixedAssetOtherToolsEquipment", "FurnitureAndFixtures", "Land", "LeaseholdImprovements", "OtherFixedAssets", "AccumulatedAmortization", "Buildings", "IntangibleAssets", "MachineryAndEquipment", "Vehicles"],
  "Other Asset": ["LeaseBuyout", "OtherLongTermAssets", "SecurityDeposits", "AccumulatedAmortizationOfOtherAssets", "Goodwill", "Licenses", "OrganizationalCosts"],
  "Accounts Payable": ["AccountsPayable"],
  "Credit Card": ["CreditCard"],
  "Other Current Liability": ["DirectDepositPayable", "LineOfCredit", "LoanPayable", "GlobalTaxPayable", "GlobalTaxSuspense", "OtherCurrentLiabilities", "PayrollClearing", "PayrollTaxPayable", "PrepaidExpensesPayable", "RentsInTrustLiability", "TrustAccountsLiabilities", "FederalIncomeTaxPayable", "InsurancePayable", "SalesTaxPayable", "StateLocalIncomeTaxPayable"],
  "Long Term Liability": ["NotesPayable", "OtherLongTermLiabilities", "ShareholderNotesPayable"],
  Equity: ["OpeningBalanceEquity", "PartnersEquity", "RetainedEarnings", "AccumulatedAdjustment", "OwnersEquity", "PaidInCapitalOrSurplus", "PartnerContributions", "PartnerDistributions", "PreferredStock", "CommonStock", "TreasuryStock", "EstimatedTaxes", "Healthcare", "PersonalIncome", "PersonalExpense"],
  Income: ["NonProfitIncome", "OtherPrimaryIncome", "SalesOfProductIncome", "ServiceFeeIncome", "DiscountsRefundsGiven", "UnappliedCashPaymentIncome"],
  "Other Income": ["DividendIncome", "InterestEarned", "OtherInvestmentIncome", "OtherMiscellaneousIncome", "TaxExemptInterest"],
  "Cost of Goods Sold": ["EquipmentRentalCos", "OtherCostsOfServiceCos", "ShippingFreightDeliveryCos", "SuppliesMaterialsCogs", "CostOfLaborCos"],
  Expense: ["AdvertisingPromotional", "BadDebts", "BankCharges", "CharitableContributions", "CommissionsAndFees", "Entertainment", "EntertainmentMeals", "EquipmentRental", "FinanceCosts", "GlobalTaxExpense", "Insurance", "InterestPaid", "LegalProfessionalFees", "OfficeExpenses", "OfficeGeneralAdministrativeExpenses", "OtherBusinessExpenses", "OtherMiscellaneousServiceCost", "PromotionalMeals", "RentOrLeaseOfBuildings", "RepairMaintenance", "ShippingFreightDelivery", "SuppliesMaterials", "Travel", "TravelMeals", "Utilities", "Auto", "CostOfLabor", "DuesSubscriptions", "PayrollExpenses", "TaxesPaid", "UnappliedCashBillPaymentExpense"],
  "Other Expense": ["Depreciation", "ExchangeGainOrLoss", "OtherMiscellaneousExpense", "PenaltiesSettlements", "Amortization", "GasAndFuel", "HomeOffice", "HomeOwnerRentalInsurance", "OtherHomeOfficeExpenses", "MortgageInterest", "RentAndLease", "RepairsAndMaintenance", "ParkingAndTolls", "Vehicle", "VehicleInsurance", "VehicleLease", "VehicleLoanInterest", "VehicleLoan", "VehicleRegistration", "VehicleRepairs", "OtherVehicleExpenses", "Utilities", "WashAndRoadServices"],
};

const cents = (balance: string) => Math.round(Number(balance) * 100);
const AMOUNT = /^-?\d+\.\d{2}$/;

describe("the demo chart", () => {
  it("has about 60 accounts with unique codes, and unique QuickBooks ids and names", () => {
    expect(DEMO_CHART).toHaveLength(60);
    expect(new Set(DEMO_CHART.map((a) => a.code)).size).toBe(DEMO_CHART.length);
    const qbo = demoQboAccounts();
    expect(new Set(qbo.map((a) => a.id)).size).toBe(qbo.length);
    expect(new Set(qbo.map((a) => a.name.toLowerCase())).size).toBe(qbo.length);
    for (const a of DEMO_CHART) expect(a.code).toMatch(/^\d{4}$/);
  });

  it("uses AWRA's five types and QuickBooks account types, sub-types and classifications that belong together", () => {
    for (const a of DEMO_CHART) expect(LEDGER_ACCOUNT_TYPES).toContain(a.type);
    for (const q of demoQboAccounts()) {
      expect(Object.keys(QBO_ACCOUNT_TYPE_CLASSIFICATION), q.name).toContain(q.accountType);
      // The chart names the AccountType only; the classification the emulator serves is the one the app derives.
      const served = classificationOfAccountType(q.accountType);
      expect(served, q.name).toBe(QBO_ACCOUNT_TYPE_CLASSIFICATION[q.accountType]);
      expect(classificationOf({ accountType: q.accountType, classification: served })).toBe(served);
      expect(QBO_SUBTYPES[q.accountType], `${q.name}: ${q.accountSubType}`).toContain(q.accountSubType);
    }
  });

  it("pairs every AWRA account with a QuickBooks account of a compatible type", () => {
    for (const a of DEMO_CHART) expect(typesAreCompatible(a.type, a.qbo), `${a.code} ${a.name}`).toBe(true);
    for (const type of LEDGER_ACCOUNT_TYPES) expect(DEMO_CHART.some((a) => a.type === type), type).toBe(true);
  });

  it("keeps most names the same on both sides, and a few different", () => {
    const different = DEMO_CHART.filter((a) => a.name !== a.qbo.name).map((a) => [a.name, a.qbo.name]);
    expect(different).toContainEqual(["Trade Debtors", "Accounts Receivable (A/R)"]);
    expect(different.length).toBeGreaterThanOrEqual(3);
    expect(different.length).toBeLessThanOrEqual(8);
  });

  it("keeps the ids other tests rely on", () => {
    const byId = new Map(demoQboAccounts().map((q) => [q.id, q]));
    expect(byId.get("35")).toMatchObject({ name: "Checking", accountType: "Bank" });
    expect(byId.get("36")).toMatchObject({ name: "Savings", accountType: "Bank" });
    expect(byId.get("84")).toMatchObject({ name: "Accounts Receivable (A/R)", accountType: "Accounts Receivable" });
    expect(byId.get("79")).toMatchObject({ name: "Sales of Product Income", accountType: "Income" });
    expect(byId.get("90")).toMatchObject({ name: "Old Petty Cash", active: false });
  });

  it("has balances with cents for each demo realm, and a trial balance that balances", () => {
    expect(DEMO_REALMS).toEqual({ acme: "9341452000000001", globex: "9341452000000002" });
    for (const tenant of DEMO_TENANT_SLUGS) {
      const sum = { asset: 0, liability: 0, equity: 0, income: 0, expense: 0 };
      for (const a of DEMO_CHART) {
        expect(a.qbo.balances[tenant]).toMatch(AMOUNT);
        sum[a.type] += cents(a.qbo.balances[tenant]);
      }
      expect(sum.asset, tenant).toBe(sum.liability + sum.equity + sum.income - sum.expense);
      for (const q of DEMO_QBO_ONLY_ACCOUNTS) expect(q.balances[tenant]).toBe("0.00");
    }
  });

  it("has exactly three deliberate differences for Acme, each explained, and none for Globex", () => {
    expect(DEMO_DIFFERENCES.globex).toEqual([]);
    expect(DEMO_DIFFERENCES.acme).toHaveLength(3);
    for (const d of DEMO_DIFFERENCES.acme) {
      const account = DEMO_CHART.find((a) => a.code === d.code)!;
      expect(account, d.code).toBeDefined();
      expect(d.awraBalance).toMatch(AMOUNT);
      expect(d.awraBalance).not.toBe(account.qbo.balances.acme);
      expect(d.reason.length).toBeGreaterThan(10);
    }
    const acme = demoLedgerFor("acme");
    const differing = acme.filter((row) => row.balance !== DEMO_CHART.find((a) => a.code === row.code)!.qbo.balances.acme);
    expect(differing.map((row) => row.code)).toEqual(DEMO_DIFFERENCES.acme.map((d) => d.code));
    expect(demoLedgerFor("globex").every((row, i) => row.balance === DEMO_CHART[i]!.qbo.balances.globex)).toBe(true);
  });
});
