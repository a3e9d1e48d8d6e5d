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
