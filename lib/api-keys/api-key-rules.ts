import { z } from "zod";
import { API_KEY_SCOPES, isApiKeyScope, type ApiKeyScope } from "@/lib/auth/permissions";

/** The rules of API keys that need no database: limits, request bodies, a key's status. */
export const MAX_KEY_LIFETIME_DAYS = 365;
export const MAX_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The latest expiry a key created at `now` may have: one year ahead. */
export function latestExpiry(now: Date): Date {
  return new Date(now.getTime() + MAX_KEY_LIFETIME_DAYS * DAY_MS);
}

/** A date alone ("2027-01-31", as the console's date picker sends) means the end of that day, UTC. */
export function expiryFromInput(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T23:59:59.999Z`) : new Date(value);
}

/**
 * The expiry is required and at most one year ahead. A date alone is accepted up to the calendar day one year from
 * today (UTC), so that the date picker's last day is allowed.
 */
export function expiryProblem(expiresAt: Date, now: Date): string | null {
  if (Number.isNaN(expiresAt.getTime())) return "The expiry is not a valid date.";
  if (expiresAt.getTime() <= now.getTime()) return "The expiry must be in the future.";
  const latest = latestExpiry(now);
  const latestDay = new Date(`${latest.toISOString().slice(0, 10)}T23:59:59.999Z`);
  if (expiresAt.getTime() > latestDay.getTime()) return `The expiry can be at most ${MAX_KEY_LIFETIME_DAYS} days ahead.`;
  return null;
}

const scopesSchema = z
  .array(z.enum(API_KEY_SCOPES))
  .min(1, "Choose at least one scope.")
  .transform((scopes) => API_KEY_SCOPES.filter((scope) => scopes.includes(scope)));

export const apiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1, "Name the key.").max(100),
  scopes: scopesSchema,
  expiresAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
});
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateSchema>;

export const apiKeyRotateSchema = z.strictObject({
  graceDays: z.number().int().min(0).max(MAX_GRACE_DAYS),
});
export type ApiKeyRotateInput = z.infer<typeof apiKeyRotateSchema>;

export type ApiKeyStatus = "active" | "rotating" | "expired" | "revoked" | "replaced";

export interface ApiKeyState {
  expiresAt: Date;
  revokedAt: Date | null;
  replacedById: string | null;
  graceExpiresAt: Date | null;
}

/**
 * active: usable. rotating: replaced by a newer key but still usable until its grace period ends. replaced: the grace
 * period is over. Revoked and expired keys are refused at once, whatever the rotation.
 */
export function apiKeyStatus(key: ApiKeyState, now: Date): ApiKeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt.getTime() <= now.getTime()) return "expired";
  if (key.replacedById) return key.graceExpiresAt && key.graceExpiresAt.getTime() > now.getTime() ? "rotating" : "replaced";
  return "active";
}

export function isUsable(status: ApiKeyStatus): boolean {
  return status === "active" || status === "rotating";
}

/** Scopes as stored (text[]): anything no longer in the closed list grants nothing. */
export function knownScopes(stored: readonly string[]): ApiKeyScope[] {
  return stored.filter(isApiKeyScope);
}
