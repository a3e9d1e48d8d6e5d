import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E } from "./config";
import { emulatorState, resetEmulator, signIn } from "./fixtures";

// A company is proven before it is held and freed when it is let go (issue 15), as people would meet it in a browser.
// The specs share one database and run in file order: this one runs after readiness.spec.ts (which gives Globex its
// Intuit app) and leaves both tenants as it found them, connected to their usual companies, since later specs rely on it.

const ACME_REALM = "9341452000000001";
const GLOBEX_REALM = "9341452000000002";
const THIRD_REALM = "9341452000000003";

const TENANTS = [
  { email: "accountant@acme.test", realm: ACME_REALM },
  { email: "accountant@globex.test", realm: GLOBEX_REALM },
] as const;
let wasConnected: boolean[] = [];

test.beforeEach(async ({ browser }) => {
  // Each test makes up to six connect round trips through the emulator's consent page, and the afterEach up to two
  // more: on a loaded 2-core CI machine that outran the default 30 s (CI saw every step pass, then the timeout).
  test.slow();
  wasConnected = [];
  for (const tenant of TENANTS) {
    const page = await signedIn(browser, tenant.email);
    wasConnected.push(await page.getByRole("button", { name: "Disconnect" }).isVisible());
    await page.context().close();
  }
  await resetEmulator();
});

test.afterEach(async ({ browser }) => {
  const pages = [];
  for (const tenant of TENANTS) {
    const page = await signedIn(browser, tenant.email);
    await disconnectIfConnected(page);
    pages.push(page);
  }
  for (const [index, tenant] of TENANTS.entries()) {
    if (wasConnected[index]) await connectCompany(pages[index]!, tenant.realm);
    await pages[index]!.context().close();
  }
});

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** From the console: Connect, then consent at the emulator for `realmId`. */
async function connectCompany(page: Page, realmId: string, expectOutcome = "connected"): Promise<void> {
  await page.goto("/integrations/quickbooks");
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentTo(page, realmId);
  await expect(page).toHaveURL(new RegExp(`/integrations/quickbooks\\?callback=${expectOutcome}`));
}

async function consentTo(page: Page, realmId: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${E2E.emulatorUrl}/connect/oauth2`));
  await page.locator(`input[type=radio][value="${realmId}"]`).check();
  await page.getByRole("button", { name: "Connect", exact: true }).click();
}

async function disconnect(page: Page): Promise<void> {
  await page.goto("/integrations/quickbooks");
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toBeVisible();
}

/** Leaves a tenant with nothing connected, whatever an earlier test left. */
async function disconnectIfConnected(page: Page): Promise<void> {
  await page.goto("/integrations/quickbooks");
  if (await page.getByRole("button", { name: "Disconnect" }).isVisible()) await disconnect(page);
}

test("Acme disconnects its company, Globex connects the same company, then Acme connects a new one: both connected and green", async ({ browser }) => {
  const acme = await signedIn(browser, "accountant@acme.test");
  const globex = await signedIn(browser, "accountant@globex.test");
  await disconnectIfConnected(acme);
  await disconnectIfConnected(globex);

  await connectCompany(acme, ACME_REALM);
  await disconnect(acme);
  await expect(acme.getByTestId("realm-id")).toHaveCount(0);

  await connectCompany(globex, ACME_REALM);
  await connectCompany(acme, THIRD_REALM);

  for (const [page, realm] of [
    [acme, THIRD_REALM],
    [globex, ACME_REALM],
  ] as const) {
    await page.reload();
    await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
    await expect(page.getByTestId("realm-id")).toHaveText(realm);
  }
});

test("a callback whose realmId was edited in the browser leaves the edited company free and the tenant not connected", async ({ browser }) => {
  // Globex's company is free: nobody holds it (a held one would be refused before any exchange, realm_in_use).
  const globex = await signedIn(browser, "accountant@globex.test");
  await disconnectIfConnected(globex);
  const page = await signedIn(browser, "accountant@acme.test");
  await disconnectIfConnected(page);

  // The consent is for Acme's company; the redirect Intuit sends back is edited to name Globex's company, as a person
  // editing the address bar would (Playwright cannot route a redirect's target, so the consent's answer is rewritten).
  await page.route(`${E2E.emulatorUrl}/**`, async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    const answer = await route.fetch({ maxRedirects: 0 });
    const location = new URL(answer.headers()["location"]!);
    location.searchParams.set("realmId", GLOBEX_REALM);
    await route.fulfill({ status: 302, headers: { location: location.href } });
  });
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentTo(page, ACME_REALM);

  await expect(page).toHaveURL(/\/integrations\/quickbooks\?callback=realm_not_authorized/);
  await expect(page.getByTestId("callback-message")).toContainText("not one this authorization opens");
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("realm-id")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toBeVisible();
  // Nothing Intuit issued for that consent is left alive.
  expect((await emulatorState()).activeTokens.filter((token) => token.realmId === ACME_REALM)).toEqual([]);

  // The company whose id was typed in is still free for its owner.
  await connectCompany(globex, GLOBEX_REALM);
  await expect(globex.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
});
