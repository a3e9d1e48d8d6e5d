/**
 * Retries an operation that failed for a passing reason (network, timeout, Intuit 5xx) with exponential backoff,
 * within a total time limit. Anything else is thrown at once.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** No new attempt starts after this many milliseconds since the first. */
  timeLimitMs: number;
}

export const INTUIT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 300, timeLimitMs: 20_000 };

export async function withRetry<T>(operation: () => Promise<T>, isRetryable: (error: unknown) => boolean, policy: RetryPolicy = INTUIT_RETRY): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      // Full jitter: several instances retrying together should not hit Intuit in lockstep.
      const delay = Math.random() * policy.baseDelayMs * 2 ** (attempt - 1);
      const outOfTime = Date.now() - started + delay > policy.timeLimitMs;
      if (attempt >= policy.attempts || outOfTime || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
