import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { consoleHeaders, signIn } from "./fixtures";
import { GLOBEX_APP, PLATFORM_READS, TENANT_NAMES, globexAppReads, platformTotals, projectionAt } from "./usage-data";

// Intuit's metered reads of this month were written before the app started (e2e/seed-usage.ts, from e2e/usage-data.ts),
// and the usage alerts evaluated by the function the background jobs run: the platform's app holds Acme's and Globex's
// production reads, Globex's own app 620 reads of its 1,000 quota (a 50 % alert). The specs before this one only make
// sandbox calls, which are not metered: the figures are the seed's, exactly. The projection depends on the time of
// day, so it is computed here with the app's own rules at the instants before and after the page was rendered.

const BUILDER_QUOTA = 500_000;
const totals = platformTotals();
const number = (n: number) => n.toLocaleString("en-US");
const percent = (part: number, whole: number) => new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 }).format(part / whole);
const dayFormat = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });
const USAGE = "/integrations/quickbooks/usage";
const CSV_HEADER = "day,app,environment,operation,category,cause,metered,calls";

type CsvRow = { day: string; app: string; environment: string; operation: string; category: string; cause: string; metered: string; calls: string };

/** The page's "Export CSV", downloaded with the page's session: its status, first line and rows. */
async function downloadCsv(page: Page): Promise<{ status: number; header: string; rows: CsvRow[] }> {
  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(href).toMatch(/^\/api\/quickbooks\/usage\/daily\.csv\?/);
  const response = await page.request.get(href!);
  const text = await response.text();
  expect(response.headers()["content-type"]).toMatch(/^text\/csv/);
  return { status: response.status(), header: text.split("\r\n")[0] ?? "", rows: parse(text, { columns: true }) as CsvRow[] };
}

/** The production reads per UTC day in a CSV's rows. */
function readsPerDay(rows: CsvRow[]): Map<string, number> {
  const days = new Map<string, number>();
  for (const r of rows) if (r.environment === "production") days.set(r.day, (days.get(r.day) ?? 0) + Number(r.calls));
  return days;
}

/** A figure as a whole number on the page, not a part of a larger one ("1,357" is not in "21,357"). */
const figure = (n: number) => new RegExp(`(?<![\\d,.])${number(n)}(?![\\d,])`);

/** Opens the usage page and returns the instants just before and just after it was rendered. */
async function openUsage(page: Page, url = USAGE): Promise<[Date, Date]> {
  const before = new Date();
  await page.goto(url);
  await expect(page.getByRole("heading", { name: "Intuit usage", level: 1 })).toBeVisible();
  return [before, new Date()];
}

/** The projection and "quota runs out" the page must show when rendered between two instants. */
async function expectProjection(page: Page, [before, after]: [Date, Date], readsByDay: Map<string, number>, quota: number): Promise<void> {
  const [early, late] = [projectionAt(before, readsByDay, quota), projectionAt(after, readsByDay, quota)];
  const shown = Number(((await page.getByTestId("usage-projection").textContent()) ?? "").split(" (")[0]!.replace(/,/g, ""));
  expect(shown).toBeGreaterThanOrEqual(Math.min(early.projection.monthEnd, late.projection.monthEnd));
  expect(shown).toBeLessThanOrEqual(Math.max(early.projection.monthEnd, late.projection.monthEnd));
  await expect(page.getByTestId("usage-projection")).toHaveText(`${number(shown)} (${percent(shown, quota)} of the quota)`);
  const runsOut = (p: typeof early) => (p.projection.quotaRunsOutAt ? `On ${dayFormat.format(p.projection.quotaRunsOutAt)} at this rate` : "Not this month at this rate");
  expect([runsOut(early), runsOut(late)]).toContain(await page.getByTestId("usage-runs-out").textContent());
}

test("the operator sees the platform app's month, its projection and its top tenants, and exports them", async ({ page }) => {
  await signIn(page, "operator@awra.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
  await expect(page).toHaveURL(new RegExp(`${USAGE}$`));
  const rendered = await openUsage(page);

  // The CSV: the platform app's calls per day, operation and cause, summed over its tenants: the seed's, all metered.
  const csv = await downloadCsv(page);
  expect(csv.status).toBe(200);
  expect(csv.header).toBe(CSV_HEADER);
  const production = csv.rows.filter((r) => r.environment === "production");
  const sumOf = (rows: { operation: string; cause: string; calls: number | string }[]) => {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(`${r.operation}/${r.cause}`, (sums.get(`${r.operation}/${r.cause}`) ?? 0) + Number(r.calls));
    return Object.fromEntries([...sums].sort());
  };
  expect(sumOf(production)).toEqual(sumOf([...PLATFORM_READS]));
  expect(production.every((r) => r.app === "platform" && r.category === "coreplus" && r.metered === "yes")).toBe(true);
  const readsByDay = readsPerDay(csv.rows);

  // The month's bar, with the quota.
  const bar = page.getByRole("progressbar", { name: "Metered reads this month" });
  await expect(bar).toHaveAttribute("aria-valuenow", String(totals.app));
  await expect(bar).toHaveAttribute("aria-valuemax", String(BUILDER_QUOTA));
  await expect(page.getByTestId("usage-month-text")).toHaveText(`${number(totals.app)} of ${number(BUILDER_QUOTA)} metered reads (${percent(totals.app, BUILDER_QUOTA)})`);
  await expect(page.getByTestId("usage-plan")).toHaveText("Builder (free): 500,000 reads a month, starting on day 1 (UTC)");

  // The projection: the month-end total at the last 7 days' rate, and the day the quota would run out (or not).
  await expectProjection(page, rendered, readsByDay, BUILDER_QUOTA);

  // The top tenants, with their reads, their share of the app and their background reads.
  const top = page.getByRole("table", { name: "Top tenants by metered reads this month" });
  await expect(top.getByRole("row")).toHaveCount(3);
  await expect(top.getByRole("row").nth(1)).toHaveText(
    new RegExp(`^${TENANT_NAMES.acme}\\s*${number(totals.acme.reads)}\\s*${percent(totals.acme.reads, totals.app)}\\s*${totals.acme.background}$`),
  );
  await expect(top.getByRole("row").nth(2)).toHaveText(
    new RegExp(`^${TENANT_NAMES.globex}\\s*${number(totals.globex.reads)}\\s*${percent(totals.globex.reads, totals.app)}\\s*${totals.globex.background}$`),
  );

  // Every Intuit app: the platform's and Globex's own.
  const apps = page.getByRole("table", { name: "Intuit apps and their month" });
  await expect(apps.getByRole("row", { name: /^The platform's Intuit app/ })).toContainText(number(totals.app));
  await expect(apps.getByRole("row", { name: /^Globex Logistics's own Intuit app/ })).toContainText(`${number(GLOBEX_APP.quota)}${number(globexAppReads())}`);
});

test("a tenant's admin sees its own reads and the app's totals, and no other tenant", async ({ page }) => {
  // admin@acme.test is an admin of both tenants, signed in on Acme (the first by name).
  await signIn(page, "admin@acme.test");
  await expect(page.getByLabel("Tenant").locator("option:checked")).toHaveText(/^Acme Field Services/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
  await expect(page.getByRole("heading", { name: "This month: The platform's Intuit app" })).toBeVisible();
  const main = page.getByRole("main");

  // The app-wide month (every tenant on the platform's app counts against its quota) and Acme's part of it.
  await expect(page.getByTestId("usage-month-text")).toHaveText(`${number(totals.app)} of ${number(BUILDER_QUOTA)} metered reads (${percent(totals.app, BUILDER_QUOTA)})`);
  await expect(page.getByTestId("usage-tenant-share")).toContainText(
    `${TENANT_NAMES.acme}: ${number(totals.acme.reads)} of these ${number(totals.app)} metered reads (${percent(totals.acme.reads, totals.app)}).`,
  );
  const operations = page.getByRole("table", { name: `Metered reads by operation this month, ${TENANT_NAMES.acme}` });
  const acmeOps = (operation: string) => PLATFORM_READS.filter((r) => r.tenant === "acme" && r.operation === operation).reduce((n, r) => n + r.calls, 0);
  for (const operation of ["query", "cdc", "companyinfo"]) {
    await expect(operations.getByRole("row", { name: new RegExp(`^${operation}`) })).toContainText(number(acmeOps(operation)));
  }
  await expect(page.getByTestId("usage-background-per-company")).toContainText(`${number(totals.acme.background)} background reads this month`);
  await expect(main).toContainText("The platform operator sets this plan.");

  // Nobody else: no other tenant's name or figures, no list of tenants or apps, no plan to set, no usage alert.
  await expect(main).not.toContainText(TENANT_NAMES.globex);
  for (const n of [totals.globex.reads, 1_333, GLOBEX_APP.quota, globexAppReads()]) await expect(main).not.toContainText(figure(n));
  await expect(main).not.toContainText(percent(totals.globex.reads, totals.app));
  await expect(main.getByRole("heading", { name: "Top tenants" })).toHaveCount(0);
  await expect(main.getByRole("heading", { name: "Intuit apps" })).toHaveCount(0);
  await expect(main.getByRole("button", { name: "Save plan" })).toHaveCount(0);
  await expect(page.getByTestId("usage-alert-banner")).toHaveCount(0);

  // Its CSV: Acme's own calls only.
  const csv = await downloadCsv(page);
  expect(csv.status).toBe(200);
  expect(csv.header).toBe(CSV_HEADER);
  const production = csv.rows.filter((r) => r.environment === "production");
  expect(production.every((r) => r.app === "platform")).toBe(true);
  expect(production.reduce((n, r) => n + Number(r.calls), 0)).toBe(totals.acme.reads);

  // Another app than its tenant's is not for it, even named in the URL.
  const globexId = await page.getByLabel("Tenant").locator("option", { hasText: TENANT_NAMES.globex }).getAttribute("value");
  const refused = await page.goto(`${USAGE}?app=${encodeURIComponent(`tenant:${globexId}`)}`);
  expect(refused?.status()).toBe(403);
});

test("an accountant has no Usage link, and is refused the page and its CSV", async ({ page }) => {
  await signIn(page, "accountant@acme.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Health" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" })).toHaveCount(0);
  const response = await page.goto(USAGE);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  const csv = await page.request.get("/api/quickbooks/usage/daily.csv");
  expect(csv.status()).toBe(403);
});

test("the operator sees Globex's app past 50 % of its quota on every console page, with what to do", async ({ page }) => {
  await signIn(page, "operator@awra.test");
  const banner = page.getByRole("complementary", { name: "Intuit usage alerts" });
  const used = globexAppReads();
  for (const path of ["/integrations/quickbooks", "/integrations/quickbooks/readiness"]) {
    await page.goto(path);
    await expect(banner.getByTestId("usage-alert")).toHaveAttribute("data-threshold", "50");
    await expect(banner).toContainText(
      `${TENANT_NAMES.globex}'s own Intuit app has used 50 % of its monthly Intuit read quota: ${number(used)} of ${number(GLOBEX_APP.quota)} metered reads.`,
    );
    await expect(banner).toContainText("Meanwhile the product slows its own background reads first (re-verify, change catch-up, checks)");
  }

  // Its link opens that app's month: 62 % used, projected to stay there (its reads are older than the 7 days' rate).
  await banner.getByRole("link", { name: "See the usage" }).click();
  await expect(page).toHaveURL(/\/integrations\/quickbooks\/usage\?app=tenant%3A/);
  await expect(page.getByRole("heading", { name: `This month: ${TENANT_NAMES.globex}'s own Intuit app` })).toBeVisible();
  await expect(page.getByTestId("usage-month-text")).toHaveText(`${number(used)} of ${number(GLOBEX_APP.quota)} metered reads (${percent(used, GLOBEX_APP.quota)})`);
  await expect(page.getByTestId("usage-projection")).toHaveText(`${number(used)} (${percent(used, GLOBEX_APP.quota)} of the quota)`);
  await expect(page.getByTestId("usage-runs-out")).toHaveText("Not this month at this rate");
  await expect(page.getByRole("main")).toContainText(`${TENANT_NAMES.globex}'s admins set this plan`);
});

test("the operator sets the platform app's plan: the month follows it, bad input is explained, and Builder is restored", async ({ page }) => {
  await signIn(page, "operator@awra.test");
  await openUsage(page);
  const headers = await consoleHeaders(page);
  const form = page.getByRole("form", { name: "Plan of the platform's Intuit app" });
  const quota = form.getByLabel("Monthly CorePlus quota (reads)");
  try {
    // Bad input: said next to the field, in words, and nothing is sent.
    await quota.fill("0");
    await form.getByRole("button", { name: "Save plan" }).click();
    await expect(form).toContainText("Enter the monthly quota as a whole number of reads, from 1 to 2,000,000,000.");
    await expect(quota).toBeFocused();
    await expect(quota).toHaveAttribute("aria-invalid", "true");
    // What the route says to a client that sends it anyway: 400 with a message, never a 500.
    const refused = await page.request.put("/api/quickbooks/usage/platform-plan", { headers, data: { tier: "custom" } });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error.message).toContain("A custom plan needs its monthly quota.");

    // A custom quota of 6,000: the app is at 92.8 %, and the page says what to do.
    const small = 6_000;
    await form.getByLabel("Intuit tier").selectOption("custom");
    await quota.fill(String(small));
    const before = new Date();
    await form.getByRole("button", { name: "Save plan" }).click();
    await expect(form).toContainText("Plan saved.");
    await expect(page.getByTestId("usage-month-text")).toHaveText(`${number(totals.app)} of ${number(small)} metered reads (${percent(totals.app, small)})`);
    await expectProjection(page, [before, new Date()], readsPerDay((await downloadCsv(page)).rows), small);
    await expect(page.getByTestId("usage-next-steps")).toContainText("What to do: Upgrade the app's tier with Intuit (Silver: 1,000,000 reads a month), then set the new plan below.");
  } finally {
    // The later specs, and a second run, find the platform's app on Builder again.
    const restored = await page.request.put("/api/quickbooks/usage/platform-plan", { headers, data: { tier: "builder" } });
    expect(restored.status()).toBe(200);
  }
  await page.reload();
  await expect(page.getByTestId("usage-month-text")).toHaveText(`${number(totals.app)} of ${number(BUILDER_QUOTA)} metered reads (${percent(totals.app, BUILDER_QUOTA)})`);
  await expect(page.getByTestId("usage-plan")).toHaveText("Builder (free): 500,000 reads a month, starting on day 1 (UTC)");
});
