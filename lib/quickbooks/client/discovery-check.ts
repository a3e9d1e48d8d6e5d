import "server-only";
import { clearDiscoveryCache, fetchDiscovery } from "@/lib/intuit/discovery";

export interface DiscoveryCheck {
  url: string;
  ok: boolean;
  checkedAt: Date;
  error: string | null;
}

// The last result per document URL. The document is public, so a per-process memory is fine; a success is trusted
// for 10 minutes, a failure for 1, so that status polling never waits on Intuit for long.
const results = new Map<string, DiscoveryCheck>();
const TRUST_OK_MS = 10 * 60 * 1000;
const TRUST_FAILURE_MS = 60 * 1000;

/** Is Intuit's discovery document reachable and well-formed? `force` re-fetches it ("Re-run checks"). */
export async function checkDiscovery(url: string, options: { force?: boolean } = {}): Promise<DiscoveryCheck> {
  const known = results.get(url);
  const trustFor = known?.ok ? TRUST_OK_MS : TRUST_FAILURE_MS;
  if (!options.force && known && Date.now() - known.checkedAt.getTime() < trustFor) return known;
  if (options.force) clearDiscoveryCache();
  let result: DiscoveryCheck;
  try {
    await fetchDiscovery(url, { timeoutMs: 5_000 });
    result = { url, ok: true, checkedAt: new Date(), error: null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    result = { url, ok: false, checkedAt: new Date(), error: typeof code === "string" ? code : "unreachable" };
  }
  results.set(url, result);
  return result;
}

export function forgetDiscoveryChecks(): void {
  results.clear();
}
