import { expect, test } from "@playwright/test";
import { connectFresh, consentAtIntuit, emulatorControl, emulatorState, signIn } from "./fixtures";

const REALM = "9341452000000001";

test.beforeEach(async ({ page }) => {
  await signIn(page, "accountant@acme.test");
  await connectFresh(page);
});

test("Verify connection renews a token that Intuit considers expired", async ({ page }) => {
  const before = (await emulatorState()).calls.tokenRefreshToken ?? 0;
  // An hour and more passes at Intuit: the access token the app holds is refused with a 401.
  await emulatorControl("advance-time", { seconds: 3700 });
  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByText(/Verified: .+ answered/)).toBeVisible();
  expect((await emulatorState()).calls.tokenRefreshToken).toBe(before + 1);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
});

test("Renew token renews at once", async ({ page }) => {
  const before = (await emulatorState()).calls.tokenRefreshToken ?? 0;
  await page.getByRole("button", { name: "Renew token" }).click();
  await expect(page.getByText("Token renewed.")).toBeVisible();
  expect((await emulatorState()).calls.tokenRefreshToken).toBe(before + 1);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
});

test("Disconnect asks first, revokes at Intuit, wipes the tokens and turns the indicator red", async ({ page }) => {
  await page.getByRole("button", { name: "Disconnect" }).click();
  const dialog = page.getByRole("dialog", { name: "Disconnect QuickBooks?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");

  await page.getByRole("button", { name: "Disconnect" }).click();
  await dialog.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("Disconnected. Intuit confirmed the revocation.")).toBeVisible();
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByTestId("sync-indicator")).toContainText("disconnected");
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toBeVisible();
  expect((await emulatorState()).activeTokens.filter((t) => t.realmId === REALM)).toHaveLength(0);
  const status = await (await page.request.get("/api/quickbooks/status")).json();
  expect(status.connection).toMatchObject({ status: "disconnected", accessTokenExpiresAt: null, refreshTokenExpiresAt: null });
});

test("a grant revoked inside QuickBooks shows reauthorization required, and the reconnect path works", async ({ page }) => {
  await emulatorControl("revoke-grant", { realmId: REALM });
  const before = (await emulatorState()).calls;
  // Intuit sends the browser to the Disconnect URL. Its GET only reads: the status as stored, no call to Intuit.
  await page.goto(`/quickbooks/disconnected?realmId=${REALM}`);
  await expect(page.getByRole("heading", { name: "QuickBooks was disconnected" })).toBeVisible();
  const indicator = page.getByTestId("sync-indicator");
  await expect(indicator).toHaveAttribute("data-state", "green");
  const landed = (await emulatorState()).calls;
  expect([landed.api, landed.tokenRefreshToken]).toEqual([before.api, before.tokenRefreshToken]);

  // The check is the person's click (a POST): the test call is refused, and the status says so.
  await page.getByRole("button", { name: "Check the connection now" }).click();
  await expect(indicator).toHaveAttribute("data-state", "red");
  await expect(indicator).toContainText("Reauthorization required");

  // The Reconnect URL names the tenant and asks for a click before anything starts.
  await page.getByRole("link", { name: "Reconnect to QuickBooks" }).click();
  await expect(page.getByRole("heading", { name: "Reconnect QuickBooks" })).toBeVisible();
  await expect(page.getByTestId("reconnect-tenant")).toHaveText("Acme Field Services");
  await page.getByRole("button", { name: "Reconnect to QuickBooks" }).click();
  await consentAtIntuit(page, REALM);
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "green");
  await expect(page.getByRole("list", { name: "Connection path" }).getByRole("listitem").nth(3)).toHaveAttribute("data-state", "done");
});
