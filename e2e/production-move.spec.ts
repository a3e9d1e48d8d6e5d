// Issue 17 in the browser: the demo chart mapped and validated in the sandbox, the tenant moved to its production
// company (another company at Intuit, where every account has another id), each mapping resolved there by number and
// name with one ambiguity the accountant settles, confirmed, the production sync run, and the month closed with the
// deliberate differences only. It moves Acme to production for good, so it runs last (playwright.config.ts: the
// "after-all" project, after every other spec).
import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_PRODUCTION_REALMS, DEMO_REALMS, demoProductionAccountId } from "../db/demo-chart";
import { consentAtIntuit, consoleHeaders, emulatorControl, signIn } from "./fixtures";

const PRODUCTION_REALM = DEMO_PRODUCTION_REALMS.acme;
const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
const resolutionRow = (page: Page, code: string) => page.locator(`tr[data-testid="resolution-row"][data-code="${code}"]`);
const line = (page: Page, code: string) => page.locator(`tr[data-testid="reconciliation-line"][data-code="${code}"]`);
const demo = (code: string) => DEMO_CHART.find((a) => a.code === code)!;

async function connectAt(page: Page, realmId: string) {
  await page.goto("/integrations/quickbooks");
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentAtIntuit(page, realmId);
  await expect(page.getByTestId("connection-status")).toHaveText("active");
}

test("mappings made in the sandbox are resolved in production, confirmed, synced and the month closed there", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "admin@acme.test");

  // In the sandbox: connected, every AWRA account mapped (by name, then the renamed ones), and validated.
  const status = await (await page.request.get("/api/quickbooks/status")).json();
  if (status.connection?.status !== "active") await connectAt(page, DEMO_REALMS.acme);
  await nav(page, "Mappings").click();
  await page.getByRole("button", { name: "Validate in sandbox" }).click();
  await expect(page.getByTestId("validation-result")).toBeVisible();
  await page.getByRole("button", { name: "Match by name" }).click();
  await expect(page.getByText(/^Match by name (mapped \d+ accounts?|found no unmapped account)/)).toBeVisible();
  const headers = await consoleHeaders(page);
  const overview = await (await page.request.get("/api/quickbooks/mappings")).json();
  for (const row of overview.accounts as { ledgerAccountId: string; code: string; qboAccountId: string | null }[]) {
    if (row.qboAccountId !== null) continue;
    const saved = await page.request.put(`/api/quickbooks/mappings/${row.ledgerAccountId}`, { headers, data: { qboAccountId: demo(row.code).qbo.id } });
    expect(saved.status()).toBe(200);
  }
  await page.reload();
  await expect(page.getByTestId("mapped-count")).toHaveText(`${DEMO_CHART.length} of ${DEMO_CHART.length} AWRA accounts`);
  await page.getByRole("button", { name: "Validate in sandbox" }).click();
  await expect(page.getByTestId("validation-result")).toHaveAttribute("data-passed", "yes");
  // No production company yet: nothing to resolve.
  await expect(page.getByRole("heading", { name: "Production company" })).toHaveCount(0);

  // The admin moves the tenant to production with the production app's keys; the sandbox stays connected.
  await nav(page, "Settings").click();
  await page.getByLabel("Environment").selectOption("production");
  await page.getByLabel("Client ID").fill("emulator-production-client-id");
  await page.getByLabel("Client secret").fill("emulator-production-client-secret");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.", { exact: false })).toBeVisible();
  await connectAt(page, PRODUCTION_REALM);

  // Production's chart was renumbered in one place since it was set up: 1000 is a new "Operating Account", and
  // Checking is 1001. Everything else has its sandbox number and name, under another id.
  const checking = demoProductionAccountId(demo("1000").qbo.id);
  await emulatorControl("accounts", { realmId: PRODUCTION_REALM, id: checking, acctNum: "1001" });
  await emulatorControl("accounts/create", { realmId: PRODUCTION_REALM, name: "Operating Account", accountType: "Bank", acctNum: "1000" });

  // A production sync is refused until the mappings are resolved there.
  await nav(page, "Mappings").click();
  const coverage = page.getByTestId("production-coverage");
  await expect(coverage).toContainText(`Company ${PRODUCTION_REALM}: 0 of ${DEMO_CHART.length} mapped accounts have their production account confirmed.`);
  await page.getByRole("button", { name: "Run sync" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Resolve the mappings in production" })).toBeVisible();

  // Resolve: every account found by number at its production id, and 1000 ambiguous, both candidates named.
  await page.getByRole("button", { name: "Resolve in production" }).click();
  await expect(page.getByTestId("resolution-summary")).toContainText(`${DEMO_CHART.length - 1} found, 1 with several candidates, 0 not found in company ${PRODUCTION_REALM}.`);
  await expect(page.locator('tr[data-testid="resolution-row"][data-status="resolved"]')).toHaveCount(DEMO_CHART.length - 1);
  await expect(resolutionRow(page, "1100")).toContainText(`1100 ${demo("1100").qbo.name} (by number)`);
  const ambiguous = resolutionRow(page, "1000");
  await expect(ambiguous).toHaveAttribute("data-status", "ambiguous");
  await expect(ambiguous).toContainText('Number 1000 is "Operating Account" in production, but an account named');
  await expect(page.getByRole("button", { name: `Confirm ${DEMO_CHART.length - 1} production accounts` })).toBeEnabled();
  await ambiguous.getByRole("radio", { name: /1001 Checking \(by name\)/ }).check();
  await page.locator('section[aria-labelledby="mapping-actions-title"]').screenshot({ path: "test-results/production-mapping-set.png" });
  await page.locator('section[aria-labelledby="production-title"]').screenshot({ path: "test-results/production-resolution.png" });
  await page.getByRole("button", { name: `Confirm ${DEMO_CHART.length} production accounts` }).click();
  await expect(page.getByText(`Confirmed the production account of ${DEMO_CHART.length} mapped accounts.`)).toBeVisible();
  await expect(coverage).toHaveAttribute("data-complete", "yes");
  await expect(page.getByTestId("resolution-row")).toHaveCount(0);

  // The production sync runs.
  await page.getByRole("button", { name: "Run sync" }).click();
  await expect(page.getByTestId("current-sync")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await page.getByRole("button", { name: "Validate in production" }).click();
  await expect(page.getByTestId("validation-result")).toHaveText(`Production validation passed: ${DEMO_CHART.length} accounts checked, ${DEMO_CHART.length} mapped.`);

  // The month closes in production with the deliberate differences only, on the production accounts.
  await nav(page, "Reconciliation").click();
  // Read on the tenant's accounting method: accrual, QuickBooks' default, until an accountant chooses cash.
  await expect(page.getByLabel("Accounting method")).toHaveValue("Accrual");
  await expect(page.getByRole("button", { name: "Save method" })).toBeDisabled();
  await page.getByRole("button", { name: "Reconcile now" }).click();
  const differences = DEMO_DIFFERENCES.acme;
  await expect(page.getByText(new RegExp(`^Reconciled \\d{4}-\\d{2}: ${differences.length} accounts differ from QuickBooks\\.$`))).toBeVisible();
  await expect(page.getByTestId("reconciliation-company")).toContainText(`Production company ${PRODUCTION_REALM};`);
  await expect(page.locator('tr[data-testid="reconciliation-line"][data-state="unexplained"]')).toHaveCount(differences.length);
  for (const d of differences) await expect(line(page, d.code)).toHaveAttribute("data-state", "unexplained");
  await expect(line(page, "1000")).toContainText("2,500.00");
  const period = (await page.getByRole("heading", { name: /^Reconciliation \d{4}-\d{2}$/, level: 2 }).textContent())!.replace("Reconciliation ", "");
  for (const d of differences) {
    const label = `${d.code} ${demo(d.code).name}`;
    await line(page, d.code).getByRole("textbox", { name: `Explanation for ${label}` }).fill(d.reason);
    await line(page, d.code).getByRole("button", { name: `Save explanation for ${label}` }).click();
    await expect(line(page, d.code)).toHaveAttribute("data-state", "explained");
  }
  await page.getByRole("button", { name: "Close month" }).click();
  await page.getByRole("dialog", { name: `Close ${period}?` }).getByRole("button", { name: "Close month" }).click();
  await expect(page.getByTestId("reconciliation")).toHaveAttribute("data-status", "closed");
  await page.screenshot({ path: "test-results/production-closed.png" });

  // Every line of the closed month points at the production account of its mapping (Checking as chosen for 1000).
  const csv = await (await page.request.get((await page.getByTestId("reconciliation").getByRole("link", { name: "Export CSV" }).getAttribute("href"))!)).text();
  const rows = parse(csv, { columns: true, relax_column_count: true }) as { code: string; qbo_account_id: string }[];
  const lines = rows.filter((r) => DEMO_CHART.some((a) => a.code === r.code));
  expect(lines).toHaveLength(DEMO_CHART.length);
  for (const r of lines) expect(r.qbo_account_id, r.code).toBe(r.code === "1000" ? checking : demoProductionAccountId(demo(r.code).qbo.id));
});
