// A simulated wall clock for a benchmark process that runs the product's own code over simulated days
// (bench/idle-reads-sim.ts). The product reads the time with `new Date()` and `Date.now()` in many places (a Verify's
// verified_at, a call's metered day, a token's expiry), not only through the `now` its sweeps accept, so a simulation
// that moved only the sweeps' `now` would stamp real times on rows the next sweep judges by simulated ones. This moves
// the process's clock instead, as a fake clock in a unit test does: the global Date reads the real time plus an
// offset. Only the wall clock: timers, performance.now() and the database's own now() keep real time (the product
// uses those for durations, leases and waits, which must not jump).
//
// The Intuit emulator, a process of its own, keeps its own offset (POST /__emulator/advance-time); the caller moves
// both by the same amount, so the two clocks stay within the time an HTTP request takes of each other.

const RealDate = globalThis.Date;
let offsetMs = 0;

class SimulatedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [string | number | Date]));
  }

  static now(): number {
    return RealDate.now() + offsetMs;
  }

  // Dates made before installing (or by code holding the real Date) are still Dates.
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof RealDate;
  }
}

let installed = false;

/** Replaces the global Date by the simulated one (once). */
export function installSimulatedClock(): void {
  if (installed) return;
  installed = true;
  globalThis.Date = SimulatedDate as unknown as DateConstructor;
}

/** The simulated time now. */
export function simNow(): number {
  return RealDate.now() + offsetMs;
}

/**
 * Moves the simulated clock to `target` (epoch ms), never backwards: a target already passed leaves the clock where it
 * is. Returns how far the clock moved, in ms (for the emulator's advance-time).
 */
export function moveClockTo(target: number): number {
  const before = simNow();
  if (target <= before) return 0;
  offsetMs += target - before;
  return target - before;
}

/** The offset from the real clock, in ms. */
export function clockOffsetMs(): number {
  return offsetMs;
}
