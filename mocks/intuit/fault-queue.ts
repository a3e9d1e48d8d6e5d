// Scripted failures: a test queues one, and the next requests to its target get it instead of (or, with only delayMs,
// before) the real answer. context.ts's route wrapper takes them; this module only keeps the queue.

export type FaultTarget = "token" | "revoke" | "api" | "discovery";

/** A scripted failure. The next `times` requests to `target` get it instead of (or, with only delayMs, before) the real answer. */
export interface EmulatorFault {
  target: FaultTarget;
  /** HTTP status to answer with. Omit it (with delayMs) for a slow but otherwise normal answer. */
  status?: number;
  /** JSON value or raw string. Omitted: a representative Intuit body for the target and status. */
  body?: unknown;
  contentType?: string;
  delayMs?: number;
  /**
   * Acts on the request (e.g. rotates the refresh token), then holds the answer this long: Intuit has done the work
   * but the client has not heard of it yet (a slow or lost answer, or a client that dies waiting).
   */
  answerDelayMs?: number;
  /** How many requests the fault applies to. Default 1. */
  times?: number;
  /** OAuth error code shortcut for token/revoke, e.g. "invalid_grant" (400) or "invalid_client" (401). */
  error?: string;
}

export function createFaultQueue() {
  const faults: { fault: EmulatorFault; remaining: number }[] = [];

  return {
    injectFault(fault: EmulatorFault): void {
      faults.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
    },
    /** Takes the oldest pending fault for the target, consuming one of its uses. */
    takeFault(target: FaultTarget): EmulatorFault | null {
      const index = faults.findIndex((entry) => entry.fault.target === target);
      const entry = faults[index];
      if (!entry) return null;
      entry.remaining -= 1;
      if (entry.remaining <= 0) faults.splice(index, 1);
      return entry.fault;
    },
    pendingFaults(): (EmulatorFault & { remaining: number })[] {
      return faults.map((entry) => ({ ...entry.fault, remaining: entry.remaining }));
    },
    reset(): void {
      faults.length = 0;
    },
  };
}
