/** A return path after sign-in: only a path on this site, never another origin (no open redirect). */
export function safeReturnPath(value: unknown, fallback = "/integrations/quickbooks"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || /[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}
