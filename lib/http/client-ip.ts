/**
 * The client's address as this deployment can know it: the right-most X-Forwarded-For entry (the one the nearest
 * proxy appended, which the client cannot choose when a proxy appends), else X-Real-IP. Without a proxy, Next sets
 * X-Forwarded-For to the socket's address only when the client sent none, so run production behind a proxy that
 * appends it (SECURITY.md). Used where a spoofed address would matter: the sign-in rate limit.
 */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1);
  const ip = last ?? headers.get("x-real-ip")?.trim() ?? null;
  return ip ? ip.slice(0, 64) : null;
}
