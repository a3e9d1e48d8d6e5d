import { expect, type Page } from "@playwright/test";
import { E2E } from "./config";

/** Signs in through the real login page, as a person would. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(E2E.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/integrations\/quickbooks/);
}

export async function resetEmulator(): Promise<void> {
  const response = await fetch(`${E2E.emulatorUrl}/__emulator/reset`, { method: "POST" });
  expect(response.ok).toBe(true);
}

export function stepsOf(page: Page) {
  return page.getByRole("list", { name: "Connection path" }).getByRole("listitem");
}

export async function emulatorState(): Promise<{ calls: Record<string, number>; activeTokens: { realmId: string; kind: string }[] }> {
  const response = await fetch(`${E2E.emulatorUrl}/__emulator/state`);
  expect(response.ok).toBe(true);
  return response.json();
}

export async function emulatorControl(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${E2E.emulatorUrl}/__emulator/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
}

/** Consents on the emulator's page for the given company. */
export async function consentAtIntuit(page: Page, realmId = "9341452000000001"): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${E2E.emulatorUrl}/connect/oauth2`));
  await page.locator(`input[type=radio][value="${realmId}"]`).check();
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page).toHaveURL(/\/integrations\/quickbooks\?callback=connected/);
}

/** From whatever state the tenant is in, a connection made just now: disconnect if needed, then connect. */
export async function connectFresh(page: Page): Promise<void> {
  await page.goto("/integrations/quickbooks");
  const disconnect = page.getByRole("button", { name: "Disconnect" });
  if (await disconnect.isVisible()) {
    await disconnect.click();
    await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
    await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toBeVisible();
  }
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await consentAtIntuit(page);
  // Connected; the indicator may still be red for a reason of the tenant's own (a reconciliation an earlier spec left).
  await expect(page.getByTestId("connection-status")).toHaveText("active");
}

/**
 * The headers the console's own requests carry: this origin and the tenant the page was rendered for
 * (`x-qbc-tenant`, contract "Tenant binding"; a change without it is refused). The session's active tenant is the one
 * the page in front of the test shows.
 */
export async function consoleHeaders(page: Page): Promise<Record<string, string>> {
  const session = (await (await page.request.get("/api/auth/session")).json()) as { tenantId?: string };
  expect(session.tenantId, "signed in, with an active tenant").toBeTruthy();
  return { origin: new URL(page.url()).origin, "x-qbc-tenant": session.tenantId! };
}

export async function switchTenant(page: Page, option: string): Promise<void> {
  await page.getByLabel("Tenant").selectOption({ label: option });
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(page.getByLabel("Tenant").locator("option:checked")).toHaveText(option);
}
