import { describe, expect, it } from "vitest";
import { classificationOf, expectedClassification, LEDGER_ACCOUNT_TYPES, QBO_ACCOUNT_TYPE_CLASSIFICATION, typesAreCompatible } from "./account-types";

describe("account types", () => {
  it("derives the classification from AccountType when QuickBooks leaves it out", () => {
    expect(classificationOf({ classification: null, accountType: "Accounts Payable" })).toBe("Liability");
    expect(classificationOf({ classification: "Revenue", accountType: "Income" })).toBe("Revenue");
    expect(classificationOf({ classification: null, accountType: "Made Up" })).toBeNull();
  });

  it("pairs asset with asset, income with revenue, expense with cost of goods sold", () => {
    expect(typesAreCompatible("asset", { accountType: "Fixed Asset" })).toBe(true);
    expect(typesAreCompatible("income", { accountType: "Other Income" })).toBe(true);
    expect(typesAreCompatible("expense", { accountType: "Cost of Goods Sold" })).toBe(true);
    expect(typesAreCompatible("asset", { accountType: "Income" })).toBe(false);
    expect(typesAreCompatible("liability", { accountType: "Equity" })).toBe(false);
  });
});

describe("the AccountType table", () => {
  it("gives every AWRA type a classification that some QuickBooks AccountType has", () => {
    for (const type of LEDGER_ACCOUNT_TYPES) expect(Object.values(QBO_ACCOUNT_TYPE_CLASSIFICATION), type).toContain(expectedClassification(type));
  });
});
