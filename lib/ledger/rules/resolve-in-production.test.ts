import { describe, expect, it } from "vitest";
import { mappingsInCompany, productionCoverage, resolveMappings, type MappingKey, type ProductionAccount, type ProductionTarget } from "./resolve-in-production";
import { validateMappings } from "./validate-mappings";

const mapping = (code: string, sandbox: Partial<MappingKey> = {}): MappingKey => ({
  ledgerAccountId: `ledger-${code}`,
  code,
  name: `AWRA ${code}`,
  qboAccountId: `s-${code}`,
  qboAccountName: `Account ${code}`,
  qboAccountNumber: code,
  qboAccountFqn: `Account ${code}`,
  ...sandbox,
});
const account = (id: string, number: string | null, fullyQualifiedName: string, active = true): ProductionAccount => ({ id, name: fullyQualifiedName.split(":").at(-1)!, fullyQualifiedName, number, active });

describe("resolveMappings", () => {
  it("finds each mapping by its number first, whatever the production ids are", () => {
    const [r] = resolveMappings([mapping("1000", { qboAccountFqn: "Checking" })], [account("p-77", "1000", "Checking"), account("p-78", "1010", "Petty Cash")]);
    expect(r).toMatchObject({ status: "resolved", target: { id: "p-77", matchedBy: "number" } });
  });

  it("falls back to the fully qualified name, ignoring case and outer spaces, when the company does not number its accounts", () => {
    const [r] = resolveMappings(
      [mapping("6100", { qboAccountNumber: null, qboAccountFqn: "Vehicles:Fuel" })],
      [account("p-1", null, "Vehicles"), account("p-2", null, " vehicles:FUEL "), account("p-3", null, "Fuel")],
    );
    // "Fuel" at the top level is another account than Vehicles:Fuel: the full name, not the leaf name, is the key.
    expect(r).toMatchObject({ status: "resolved", target: { id: "p-2", matchedBy: "name" } });
  });

  it("is ambiguous when the number names one account and the name another, and says which is which", () => {
    const [r] = resolveMappings([mapping("1000", { qboAccountFqn: "Checking" })], [account("p-1", "1000", "Operating Account"), account("p-2", "1001", "Checking")]);
    expect(r!.status).toBe("ambiguous");
    if (r!.status !== "ambiguous") return;
    expect(r!.candidates.map((c) => [c.id, c.matchedBy])).toEqual([
      ["p-1", "number"],
      ["p-2", "name"],
    ]);
    expect(r!.reason).toBe('Number 1000 is "Operating Account" in production, but an account named "Checking" exists there too. Choose the one AWRA 1000 posts to.');
  });

  it("agrees with itself when the number and the name find the same account", () => {
    const [r] = resolveMappings([mapping("1000", { qboAccountFqn: "Checking" })], [account("p-1", "1000", "Checking")]);
    expect(r).toMatchObject({ status: "resolved", target: { id: "p-1", matchedBy: "number" } });
  });

  it("prefers an active account to an inactive one, and still offers an inactive one when it is all there is", () => {
    const chart = [account("p-1", null, "Checking (deleted)", false), account("p-2", null, "Checking"), account("p-3", "1010", "Petty Cash", false)];
    const [active, inactiveOnly] = resolveMappings([mapping("1000", { qboAccountNumber: null, qboAccountFqn: "Checking" }), mapping("1010", { qboAccountFqn: "Petty Cash" })], chart);
    expect(active).toMatchObject({ status: "resolved", target: { id: "p-2" } });
    expect(inactiveOnly).toMatchObject({ status: "resolved", target: { id: "p-3", active: false } });
  });

  it("says what is missing, and leaves unmapped accounts alone", () => {
    const [missing, keyless, unmapped] = resolveMappings(
      [mapping("1500", { qboAccountFqn: "Tools" }), mapping("1600", { qboAccountNumber: null, qboAccountFqn: null }), mapping("1700", { qboAccountId: null })],
      [account("p-1", "1000", "Checking")],
    );
    expect(missing).toMatchObject({ status: "missing", reason: expect.stringContaining('No account of the production company has number 1500 or the name "Tools"') });
    expect(keyless).toMatchObject({ status: "missing", reason: expect.stringContaining("Validate in the sandbox") });
    expect(unmapped).toMatchObject({ status: "unmapped" });
  });
});

describe("mappingsInCompany", () => {
  const confirmed = (realmId: string, accountId: string): ProductionTarget => ({ realmId, accountId, accountName: `Prod ${accountId}`, matchedBy: "number", confirmedAt: new Date(0) });
  const row = (code: string, production: ProductionTarget | null, qboAccountId: string | null = `s-${code}`) => ({
    ledgerAccountId: `ledger-${code}`,
    code,
    name: `AWRA ${code}`,
    type: "asset" as const,
    balance: "10.00",
    qboAccountId,
    qboAccountName: qboAccountId && `Account ${code}`,
    allowShared: false,
    production,
    unresolved: undefined as boolean | undefined,
  });
  const set = [row("1000", confirmed("P1", "p-1")), row("1010", confirmed("P0", "p-9")), row("1020", null), row("1030", null, null)];

  it("gives the sandbox its own ids, and production the confirmed ones of that company only", () => {
    expect(mappingsInCompany(set, "sandbox", "S1").map((r) => r.qboAccountId)).toEqual(["s-1000", "s-1010", "s-1020", null]);
    const production = mappingsInCompany(set, "production", "P1");
    expect(production.map((r) => [r.qboAccountId, r.qboAccountName, r.unresolved ?? false])).toEqual([
      ["p-1", "Prod p-1", false],
      // Confirmed for another production company: not this one's.
      [null, null, true],
      [null, null, true],
      [null, null, false],
    ]);
    expect(productionCoverage(set, "P1")).toEqual({ mapped: 3, confirmed: 1 });
  });

  it("makes a production validation name every mapping not confirmed there", () => {
    const result = validateMappings(mappingsInCompany(set, "production", "P1"), new Map([["p-1", { id: "p-1", name: "Checking", accountType: "Bank", classification: "Asset", active: true }]]));
    expect(result.issues.map((i) => [i.code, i.issue])).toEqual([
      ["1010", "unresolved_in_production"],
      ["1020", "unresolved_in_production"],
      ["1030", "unmapped_balance"],
    ]);
  });
});
