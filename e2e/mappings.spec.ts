// Issue 8 in the browser: map AWRA's chart to QuickBooks, validate in the sandbox, sync with a live progress bar,
// reconcile, explain a difference, close the month, and see the indicator name the differences left unexplained.
// Runs after the connect and lifecycle specs (file-name order), which leave Acme connected; connects it if not.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DEMO_CHART, DEMO_DIFFERENCES } from "../db/demo-chart";
import { connectFresh, consoleHeaders, signIn } from "./fixtures";

/** The picker's page size (components/quickbooks/AccountPicker.tsx). */
const PICKER_PAGE_SIZE = 25;

const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
const mappingRow = (page: Page, code: string) => page.locator(`tr[data-testid="mapping-row"][data-code="${code}"]`);
const line = (page: Page, code: string) => page.locator(`tr[data-testid="reconciliation-line"][data-code="${code}"]`);
const accountName = (code: string) => `${code} ${DEMO_CHART.find((a) => a.code === code)!.name}`;

async function ensureAcmeConnected(page: Page) {
  const status = await (await page.request.get("/api/quickbooks/status")).json();
  if (status.connection?.status !== "active") await connectFresh(page);
}

/** Chooses a QuickBooks account in a row's picker by typing its name: with the keyboard, or by clicking the option. */
async function pick(row: Locator, accountLabel: string, qboName: string, how: "keyboard" | "click") {
  const combobox = row.getByRole("combobox", { name: `QuickBooks account for ${accountLabel}` });
  await combobox.click();
  await combobox.fill(qboName);
  const listbox = row.getByRole("listbox");
  const option = listbox.getByRole("option", { name: qboName });
  await expect(option).toBeVisible();
  await expect(listbox.getByRole("option")).toHaveCount(1);
  if (how === "keyboard") {
    await row.screenshot({ path: "test-results/mappings-picker.png" });
    await combobox.press("ArrowDown");
    await expect(combobox).toHaveAttribute("aria-activedescendant", (await option.getAttribute("id"))!);
    await combobox.press("Enter");
  } else {
    await option.click();
  }
  await expect(combobox).toHaveValue(qboName);
  await expect(listbox).toBeHidden();
}

test("an accountant maps, validates, syncs, reconciles and closes the month; readiness names what is left unexplained", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "accountant@acme.test");
  await ensureAcmeConnected(page);

  // The mappings page.
  await page.goto("/integrations/quickbooks");
  await nav(page, "Mappings").click();
  await expect(page.getByRole("heading", { name: "Account mappings", level: 1 })).toBeVisible();
  await expect(page.locator('tr[data-testid="mapping-row"]')).toHaveCount(DEMO_CHART.length);
  const neverFetched = page.getByTestId("chart-never-fetched");
  if (await neverFetched.isVisible()) {
    await expect(neverFetched).toContainText("“Validate in sandbox” fetches it");
    // A first validation fetches the chart (and, with nothing mapped yet, fails: listed beside the accounts).
    await page.getByRole("button", { name: "Validate in sandbox" }).click();
    await expect(page.getByTestId("validation-result")).toHaveAttribute("data-passed", "no");
    await expect(neverFetched).toBeHidden();
    await expect(mappingRow(page, "1000").getByTestId("mapping-issue")).toContainText("1000 Checking has a balance of");
  }

  // Match by name, then the accounts QuickBooks names differently, chosen with the picker.
  await page.getByRole("button", { name: "Match by name" }).click();
  await expect(page.getByText(/^Match by name (mapped \d+ accounts?|found no unmapped account)/)).toBeVisible();
  const renamed = DEMO_CHART.filter((a) => a.name !== a.qbo.name);
  await expect(page.locator('tr[data-testid="mapping-row"][data-mapped="no"]')).toHaveCount(renamed.length);

  // The picker pages through the chart, never loading it whole: "Load more", or Arrow Down past the last option.
  {
    const row = mappingRow(page, renamed[0]!.code);
    const combobox = row.getByRole("combobox");
    const options = row.getByRole("listbox").getByRole("option");
    await combobox.click();
    await expect(options).toHaveCount(PICKER_PAGE_SIZE);
    await row.getByRole("button", { name: "Load more" }).click();
    await expect(options).toHaveCount(2 * PICKER_PAGE_SIZE);
    await combobox.press("End");
    await combobox.press("ArrowDown");
    await expect.poll(() => options.count()).toBeGreaterThan(2 * PICKER_PAGE_SIZE);
    await expect(combobox).toHaveAttribute("aria-activedescendant", (await options.nth(2 * PICKER_PAGE_SIZE).getAttribute("id"))!);
    await combobox.press("Escape");
    await expect(row.getByRole("listbox")).toBeHidden();
  }

  for (const [i, account] of renamed.entries()) {
    const row = mappingRow(page, account.code);
    const label = `${account.code} ${account.name}`;
    await pick(row, label, account.qbo.name, i === 0 ? "keyboard" : "click");
    await row.getByRole("button", { name: `Save mapping for ${label}` }).click();
    await expect(row).toHaveAttribute("data-mapped", "yes");
  }
  await expect(page.getByTestId("mapped-count")).toHaveText(`${DEMO_CHART.length} of ${DEMO_CHART.length} AWRA accounts`);

  // Validate in the sandbox: passed, current, and no problem left beside any account.
  await page.getByRole("button", { name: "Validate in sandbox" }).click();
  await expect(page.getByTestId("validation-result")).toHaveAttribute("data-passed", "yes");
  await expect(page.getByTestId("validation-result")).toHaveText(`Sandbox validation passed: ${DEMO_CHART.length} accounts checked, ${DEMO_CHART.length} mapped.`);
  await expect(page.getByTestId("validation-sandbox")).toHaveAttribute("data-passed", "yes");
  await expect(page.getByTestId("validation-sandbox")).toContainText("Still current.");
  await expect(page.getByTestId("mapping-issue")).toHaveCount(0);

  // Run sync: the progress bar shows and reaches the total.
  await page.getByRole("button", { name: "Run sync" }).click();
  const progress = page.getByRole("progressbar");
  await expect(progress).toBeVisible();
  await expect(page.getByTestId("current-sync")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  const total = await progress.getAttribute("aria-valuemax");
  expect(Number(total)).toBeGreaterThanOrEqual(DEMO_CHART.length);
  await expect(progress).toHaveAttribute("aria-valuenow", total!);
  await expect(progress).toHaveAccessibleName(`Synced ${total} of ${total} accounts`);
  await expect(page.getByTestId("sync-processed")).toHaveText(total!);
  await expect(page.getByTestId("sync-errors")).toHaveText("0");
  await expect(page.getByRole("table", { name: "Recent sync runs" }).locator('tr[data-status="succeeded"]').first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Run sync" })).toBeEnabled();
  await page.screenshot({ path: "test-results/mappings-synced.png", fullPage: true });
  const runsCsv = await page.request.get((await page.getByRole("link", { name: "Export CSV" }).getAttribute("href"))!);
  expect(runsCsv.status()).toBe(200);
  expect((await runsCsv.text()).split("\r\n")[0]).toMatch(/^id,environment,realm_id,mode,status,total,processed/);

  // Reconcile: exactly the deliberate differences, each marked in words, not by colour alone.
  await nav(page, "Reconciliation").click();
  await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Reconcile now" }).click();
  const differences = DEMO_DIFFERENCES.acme;
  await expect(page.getByText(new RegExp(`^Reconciled \\d{4}-\\d{2}: ${differences.length} accounts differ from QuickBooks\\.$`))).toBeVisible();
  const period = (await page.getByRole("heading", { name: /^Reconciliation \d{4}-\d{2}$/, level: 2 }).textContent())!.replace("Reconciliation ", "");
  // Its basis: QuickBooks' Trial Balance as of the period's last day, the accounting method and Intuit's transaction id.
  const basis = page.getByTestId("report-basis");
  await expect(basis).toContainText(`Trial Balance as of ${period}-`);
  await expect(page.getByTestId("basis-method")).toHaveText("Accrual");
  await expect(page.getByTestId("basis-intuit-tid")).not.toHaveText("Not sent by Intuit");
  await expect(page.locator('tr[data-testid="reconciliation-line"][data-state="unexplained"]')).toHaveCount(differences.length);
  for (const d of differences) {
    await expect(line(page, d.code)).toHaveAttribute("data-state", "unexplained");
    await expect(line(page, d.code)).toContainText("Difference, unexplained");
  }
  await expect(line(page, "1000")).toContainText("2,500.00");
  await expect(page.getByTestId("totals-row")).toContainText(`${differences.length} differences, ${differences.length} unexplained`);

  // Explain one.
  const [explained, ...left] = differences;
  const explainedLabel = accountName(explained!.code);
  await line(page, explained!.code).getByRole("textbox", { name: `Explanation for ${explainedLabel}` }).fill(explained!.reason);
  await line(page, explained!.code).getByRole("button", { name: `Save explanation for ${explainedLabel}` }).click();
  await expect(line(page, explained!.code)).toHaveAttribute("data-state", "explained");
  await expect(line(page, explained!.code)).toContainText("Difference, explained");
  await expect(page.getByTestId("totals-row")).toContainText(`${differences.length} differences, ${left.length} unexplained`);
  await page.screenshot({ path: "test-results/reconciliation-open.png", fullPage: true });

  // Close the month, after confirming.
  await page.getByRole("button", { name: "Close month" }).click();
  const dialog = page.getByRole("dialog", { name: `Close ${period}?` });
  await expect(dialog).toContainText(`${left.length} differences are still unexplained`);
  await dialog.getByRole("button", { name: "Close month" }).click();
  await expect(page.getByTestId("closed-on")).toContainText("Closed on");
  await expect(page.getByTestId("reconciliation")).toHaveAttribute("data-status", "closed");
  await expect(page.getByRole("button", { name: "Close month" })).toHaveCount(0);
  await expect(page.getByTestId("reconciliation").getByRole("textbox")).toHaveCount(0);
  await expect(line(page, explained!.code).getByTestId("explanation")).toHaveText(explained!.reason);
  await expect(page.locator('tr[data-testid="reconciliation-row"]').first()).toHaveAttribute("data-status", "closed");
  const csv = await page.request.get((await page.getByTestId("reconciliation").getByRole("link", { name: "Export CSV" }).getAttribute("href"))!);
  expect(csv.status()).toBe(200);
  const csvText = await csv.text();
  expect(csvText).toContain(explained!.reason);
  // The close's basis, printed after the totals, so an auditor can ask Intuit for the same report.
  expect(csvText).toContain("\r\nBASIS,report,TrialBalance,");
  expect(csvText).toMatch(new RegExp(`\r\nBASIS,end_date,${period}-\\d{2},`));
  expect(csvText).toContain("\r\nBASIS,accounting_method,Accrual,");

  // Readiness: the indicator is red, and its check names the two accounts still unexplained.
  await nav(page, "Readiness").click();
  const names = left.map((d) => accountName(d.code)).join(", ");
  const check = page.getByRole("list", { name: "Readiness checklist" }).locator('li[data-check="Sync indicator is green"]');
  await expect(check).toHaveAttribute("data-state", "fail");
  await expect(check.getByTestId("evidence")).toContainText(`Reconciliation ${period} has unexplained differences: ${names}.`);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("sync-indicator")).toContainText(names);
  await page.screenshot({ path: "test-results/readiness-unexplained.png", fullPage: true });
});

test("an auditor reads the mappings, the runs and the closed month, and can change none of them", async ({ page }) => {
  await signIn(page, "auditor@acme.test");
  await nav(page, "Mappings").click();
  await expect(page.locator('tr[data-testid="mapping-row"]')).toHaveCount(DEMO_CHART.length);
  await expect(mappingRow(page, "1100").getByTestId("mapped-to")).toHaveText(DEMO_CHART.find((a) => a.code === "1100")!.qbo.name);
  await expect(page.getByRole("combobox")).toHaveCount(0);
  for (const name of ["Match by name", "Validate in sandbox", "Run sync", "Resume"]) await expect(page.getByRole("button", { name })).toHaveCount(0);
  await expect(page.getByRole("progressbar")).toBeVisible();
  await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();

  await nav(page, "Reconciliation").click();
  await expect(page.getByTestId("reconciliation")).toHaveAttribute("data-status", "closed");
  await expect(page.getByRole("button", { name: "Reconcile now" })).toHaveCount(0);
  await expect(page.getByRole("textbox")).toHaveCount(0);
  // The routes say no too, readably.
  const refused = await page.request.post("/api/quickbooks/reconciliations", { headers: await consoleHeaders(page), data: {} });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toMatch(/role/);
});
