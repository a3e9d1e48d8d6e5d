import { expect, test, type Page } from "@playwright/test";
import { E2E } from "./config";
import { consentAtIntuit, emulatorControl, signIn, switchTenant } from "./fixtures";

const LABELS = [
  "OAuth configuration is set",
  "Callback redirect is validated",
  "Access token is stored",
  "Refresh token is verified",
  "Sync indicator is green",
] as const;
const GLOBEX_REALM = "9341452000000002";

const item = (page: Page, name: string) => page.getByRole("list", { name: "Readiness checklist" }).locator(`li[data-check="${name}"]`);
const signal = (page: Page, name: string) => page.locator(`tr[data-signal="${name}"]`);

async function expectStates(page: Page, states: ("pass" | "fail")[]) {
  for (const [i, label] of LABELS.entries()) await expect(item(page, label), label).toHaveAttribute("data-state", states[i]!);
}

async function saveSettings(page: Page, fields: { clientId?: string; clientSecret?: string; redirectUri?: string }) {
  await page.goto("/integrations/quickbooks/settings");
  if (fields.clientId !== undefined) await page.getByLabel("Client ID").fill(fields.clientId);
  if (fields.clientSecret !== undefined) await page.getByLabel("Client secret").fill(fields.clientSecret);
  if (fields.redirectUri !== undefined) await page.getByLabel("Redirect URI registered at Intuit").fill(fields.redirectUri);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
}

async function renewFromGuide(page: Page) {
  await signal(page, "Token refresh error").getByRole("button", { name: "Trigger immediate token renewal" }).click();
  await expect(page.getByText("Token renewed.")).toBeVisible();
}

test("readiness walks a tenant from all red to all green, then breaks one thing at a time", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, "admin@acme.test");
  await switchTenant(page, "Globex Logistics (admin)");

  // Nothing configured: every check fails, each with what to do.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Readiness" }).click();
  await expectStates(page, ["fail", "fail", "fail", "fail", "fail"]);
  await expect(item(page, "OAuth configuration is set").getByTestId("action")).toContainText("client id and secret in Settings");
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(signal(page, "OAuth handshake fail")).toHaveAttribute("data-present", "yes");

  // The admin enters the tenant's Intuit app; the secret is never shown again.
  await saveSettings(page, { clientId: "emulator-client-id", clientSecret: E2E.clientSecret });
  await expect(page.getByText(/A secret ending in …cret was set/)).toBeVisible();
  await expect(page.getByLabel("Client secret")).toHaveValue("");

  await page.goto("/integrations/quickbooks/readiness");
  await page.getByRole("button", { name: "Re-run checks" }).click();
  await expect(page.getByRole("list", { name: "Check progress" })).toContainText("Fetch Intuit's discovery document: done");
  await expect(page.getByRole("list", { name: "Check progress" })).toContainText("Re-compute the checklist: done");
  await expect(item(page, "OAuth configuration is set")).toHaveAttribute("data-state", "pass");

  // Connect, then prove the refresh token with a renewal: all green.
  await page.goto("/integrations/quickbooks");
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentAtIntuit(page, GLOBEX_REALM);
  await page.goto("/integrations/quickbooks/readiness");
  await expectStates(page, ["pass", "pass", "pass", "fail", "pass"]);
  await expect(item(page, "Refresh token is verified").getByTestId("action")).toContainText("Renew token");
  await renewFromGuide(page);
  await expectStates(page, ["pass", "pass", "pass", "pass", "pass"]);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
  await page.screenshot({ path: "test-results/readiness-all-green.png", fullPage: true });

  // Break 1: a wrong redirect URI.
  await saveSettings(page, { redirectUri: `${E2E.appUrl}/wrong/callback` });
  await page.goto("/integrations/quickbooks/readiness");
  await expect(item(page, "Callback redirect is validated")).toHaveAttribute("data-state", "fail");
  await expect(item(page, "Callback redirect is validated").getByTestId("action")).toContainText(`${E2E.appUrl}/api/quickbooks/callback`);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("sync-indicator")).toContainText("does not match");
  await expect(signal(page, "Callback route check")).toHaveAttribute("data-present", "yes");
  await saveSettings(page, { redirectUri: "" });
  await page.goto("/integrations/quickbooks/readiness");
  await expectStates(page, ["pass", "pass", "pass", "pass", "pass"]);

  // Break 2: the grant is revoked inside QuickBooks; re-running the checks finds it.
  await emulatorControl("revoke-grant", { realmId: GLOBEX_REALM });
  await page.getByRole("button", { name: "Re-run checks" }).click();
  await expect(page.getByRole("list", { name: "Check progress" })).toContainText("Test API call (CompanyInfo): failed");
  await expect(item(page, "Refresh token is verified")).toHaveAttribute("data-state", "fail");
  await expect(item(page, "Refresh token is verified").getByTestId("action")).toContainText("Reconnect to QuickBooks");
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("sync-indicator")).toContainText("Reauthorization required");
  await expect(signal(page, "QuickBooks disconnect")).toHaveAttribute("data-present", "yes");

  // Reconnect and renew: green again.
  await page.goto("/integrations/quickbooks");
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentAtIntuit(page, GLOBEX_REALM);
  await page.goto("/integrations/quickbooks/readiness");
  await renewFromGuide(page);
  await expectStates(page, ["pass", "pass", "pass", "pass", "pass"]);

  // Break 3: the refresh token expires (Intuit issues the next one with a 2-second life).
  await emulatorControl("refresh-token-ttl", { seconds: 2 });
  await renewFromGuide(page);
  await page.waitForTimeout(3_000);
  await page.reload();
  await expect(item(page, "Refresh token is verified")).toHaveAttribute("data-state", "fail");
  await expect(item(page, "Refresh token is verified").getByTestId("action")).toContainText("Reconnect to QuickBooks");
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("sync-indicator")).toContainText("refresh token has expired");
  await emulatorControl("refresh-token-ttl", { seconds: null });
});
