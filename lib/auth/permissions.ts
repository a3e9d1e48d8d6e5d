import type { Role } from "@/db/schema";

/**
 * The permission matrix, written once: which role may do which action on its own tenant.
 * Every route handler, server action and page asks `can()` through lib/auth/guard.ts.
 */
export const ACTIONS = [
  "quickbooks.status.read",
  "quickbooks.connect",
  "quickbooks.verify",
  "quickbooks.refresh",
  "quickbooks.disconnect",
  "logs.read",
  "logs.export",
  "credentials.manage",
  // Re-queue dead-lettered webhook events, and send a test webhook through the emulator.
  "webhooks.manage",
  // The all-tenants health table: only tenants where the user is an admin are listed.
  "tenants.overview",
] as const;
export type Action = (typeof ACTIONS)[number];

const MATRIX: Record<Role, ReadonlySet<Action>> = {
  accountant: new Set<Action>([
    "quickbooks.status.read",
    "quickbooks.connect",
    "quickbooks.verify",
    "quickbooks.refresh",
    "quickbooks.disconnect",
  ]),
  admin: new Set<Action>([...ACTIONS]),
  auditor: new Set<Action>(["quickbooks.status.read", "logs.read", "logs.export"]),
};

export function can(role: Role, action: Action): boolean {
  return MATRIX[role].has(action);
}
