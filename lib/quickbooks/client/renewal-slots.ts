import "server-only";
import { env } from "@/lib/env";

/**
 * One limit on the token renewals this process runs at once, whatever started them: the background sweep, an API call
 * whose token expired, "Renew token", a 401. QBC_RENEWAL_CONCURRENCY (default 6, at most 8) stays below the database
 * pool's 10 connections: a renewal holds none while Intuit answers, but it uses one to take its lease, one to settle,
 * and one for its heartbeat, and a burst of renewals must always leave connections to the rest of the app. It also
 * bounds the calls this process has waiting on Intuit's token endpoint.
 */

let inFlight = 0;
const waiting: (() => void)[] = [];

export async function withRenewalSlot<T>(work: () => Promise<T>): Promise<T> {
  const cap = env().renewalConcurrency;
  while (inFlight >= cap) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight += 1;
  try {
    return await work();
  } finally {
    inFlight -= 1;
    waiting.shift()?.();
  }
}

