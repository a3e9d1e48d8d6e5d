import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./fixtures";
import { HEALTH_TRAFFIC_OPERATIONS, TOP_ERROR_MESSAGE, TOP_ERROR_TID, scriptedDay, scriptedTotals } from "./health-traffic";

// Acme's scripted day of traffic was recorded before the app started (e2e/seed-health-traffic.ts). The specs before
// this one may add real calls of their own (a Verify is a CompanyInfo call), under other operations: the totals must
// be the script's plus exactly what the "Calls by operation" table shows for those.
const expected = scriptedTotals(scriptedDay(new Date()));
const number = (n: number) => n.toLocaleString("en-US");

/** A total in the definition list: the first definition after the term with exactly this text. */
const total = (page: Page, name: string) =>
  page
    .getByRole("region", { name: /^Totals for / })
    .getByRole("term")
    .filter({ hasText: new RegExp(`^${name}$`) })
    .locator("xpath=following-sibling::dd[1]");

/** The dashboard has loaded (the first render of a range reads its metrics; loading.tsx shows meanwhile). */
async function loaded(page: Page, rangeLabel: string): Promise<void> {
  await expect(page.getByRole("heading", { name: `Totals for the last ${rangeLabel}` })).toBeVisible({ timeout: 20_000 });
}

async function operationCounts(page: Page): Promise<Map<string, { calls: number; errors: number }>> {
  const table = page.getByRole("table", { name: /API calls and errors by operation/ });
  await expect(table).toBeVisible();
  // Each body row: the operation (its row header), then calls and errors.
  const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent ?? "")));
  const number = (text: string | undefined) => Number((text ?? "").replace(/,/g, ""));
  return new Map(rows.map(([operation, calls, errors]) => [(operation ?? "").trim(), { calls: number(calls), errors: number(errors) }]));
}

test("an admin reads Acme's day of traffic on the health dashboard, then switches to 7 days", async ({ page }) => {
  test.slow();
  await signIn(page, "admin@acme.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Health" }).click();
  await expect(page).toHaveURL(/\/integrations\/quickbooks\/health$/);
  await loaded(page, "24 hours");
  await expect(page.getByRole("link", { name: "24 hours" })).toHaveAttribute("aria-current", "page");

  // Calls by operation: the script's operations exactly, and the total is the sum of the table.
  const operations = await operationCounts(page);
  for (const operation of HEALTH_TRAFFIC_OPERATIONS) expect(operations.get(operation), operation).toEqual(expected.byOperation[operation]);
  const others = [...operations].filter(([operation]) => !(HEALTH_TRAFFIC_OPERATIONS as readonly string[]).includes(operation)).map(([, c]) => c);
  const otherCalls = others.reduce((n, c) => n + c.calls, 0);
  const otherErrors = others.reduce((n, c) => n + c.errors, 0);

  await expect(total(page, "API calls")).toHaveText(number(expected.apiCalls + otherCalls));
  await expect(total(page, "Errors")).toHaveText(number(expected.errors + otherErrors));
  await expect(total(page, "Throttle hits")).toHaveText(number(expected.throttleHits));
  await expect(total(page, "Token renewals")).toHaveText(number(expected.tokenRenewals));
  await expect(total(page, "Webhook events")).toHaveText(number(expected.webhookEvents));
  await expect(total(page, "Processing errors")).toHaveText(number(expected.processingErrors));

  // The four charts are drawn, each a figure with a caption.
  for (const name of ["API calls and errors", "Throttle hits", "Webhook delay (seconds)", "Token renewals"]) {
    const figure = page.getByRole("figure", { name });
    await expect(figure).toBeVisible();
    await expect(figure.locator("svg.recharts-surface").first()).toBeVisible();
  }

  // The top error reason, with the intuit_tid of its latest occurrence, copyable for Intuit support.
  const top = page.getByTestId("error-reason").first();
  await expect(top).toContainText("Validation");
  await expect(top).toContainText("code 2020");
  await expect(top).toContainText(TOP_ERROR_MESSAGE);
  await expect(top.getByRole("cell").nth(1)).toHaveText(number(expected.topErrorCount));
  await expect(top).toContainText(TOP_ERROR_TID);
  await expect(top.getByRole("button", { name: `Copy intuit_tid ${TOP_ERROR_TID}` })).toBeVisible();

  // The tenant's sync indicator, and, for an admin, every tenant they administer.
  await expect(page.getByTestId("sync-indicator")).toBeVisible();
  const tenants = page.getByRole("table", { name: /Tenants where you are an admin/ });
  await expect(tenants.getByRole("rowheader", { name: /Acme Field Services/ })).toBeVisible();
  await expect(tenants.getByRole("rowheader", { name: /Globex Logistics/ })).toBeVisible();

  // 7 days: the same traffic, in six-hour blocks; the range is in the URL and marked current.
  await page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/range=7d/);
  await loaded(page, "7 days");
  await expect(page.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");
  await expect(total(page, "API calls")).toHaveText(number(expected.apiCalls + otherCalls));
  await expect(total(page, "Throttle hits")).toHaveText(number(expected.throttleHits));
  await expect(page.getByRole("figure", { name: "API calls and errors" }).locator("svg.recharts-surface").first()).toBeVisible();
});

test("an auditor reads the dashboard too, without the all-tenants table; the range links work from the keyboard", async ({ page }) => {
  await signIn(page, "auditor@acme.test");
  await page.goto("/integrations/quickbooks/health?range=30d");
  await loaded(page, "30 days");
  await expect(total(page, "Token renewals")).toHaveText(number(expected.tokenRenewals));
  await expect(page.getByRole("table", { name: /Tenants where you are an admin/ })).toHaveCount(0);

  const day = page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: "24 hours" });
  await day.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/range=24h/);
  await loaded(page, "24 hours");
});

test("Globex, with no traffic, shows the empty states", async ({ page }) => {
  await signIn(page, "accountant@globex.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Health" }).click();
  await loaded(page, "24 hours");
  await expect(total(page, "API calls")).toHaveText("0");
  await expect(page.getByText("No API calls in the last 24 hours.").first()).toBeVisible();
  await expect(page.getByText("No throttle hits in the last 24 hours.")).toBeVisible();
  await expect(page.getByText("No API errors in the last 24 hours.")).toBeVisible();
});

test("the dashboard is readable on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin@acme.test");
  await page.goto("/integrations/quickbooks/health");
  await loaded(page, "24 hours");
  await expect(total(page, "API calls")).toBeVisible();
  await expect(page.getByRole("figure", { name: "API calls and errors" }).locator("svg.recharts-surface").first()).toBeVisible();
  // Nothing but the tables (which scroll inside their own box) is wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
