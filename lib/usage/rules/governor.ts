// The background-read governor (issue 16, point 6): the product's own reads (re-verify, catch-up, checks) get a share of
// the Intuit app's monthly quota. When the month-end projection of those reads passes that share, their intervals
// stretch one step at a time, and relax one step at a time once the projection falls back. Pure, so each step is a
// unit test; lib/usage/govern-background-reads.ts feeds it the app's usage and stores the decision, and the sweeps
// read the decision's factor. A person's action and a sync run never ask it: they are never slowed.

import type { QuotaMonth } from "./quota-month";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The stretch factors of the background intervals, step by step. The last is 5, not more: the sync indicator turns red
 * once a connection has not been proven for 7 days (VERIFY_MAX_AGE_DAYS), and the floor catch-up, a successful call, is
 * what proves an idle connection; every 5 days leaves 2 days of slack for an outage.
 */
export const STRETCH_FACTORS = [1, 2, 3, 5] as const;
export const MAX_LEVEL = STRETCH_FACTORS.length - 1;
/** A level stays at least this long: the rate it produces must be measured before the next step is judged. */
export const GOVERNOR_DWELL_MS = DAY_MS;
/** A step back is taken only when the lower level's projection stays under this share of the room (no flapping). */
export const RELAX_BELOW = 0.8;

/** The intervals the background sweeps keep at factor 1 (lib/jobs/catch-up-sweep.ts, reverify-sweep.ts). */
export const BACKGROUND_INTERVALS = {
  /** Every connection is caught up at least this often, evidence or not. */
  catchUpFloorMs: DAY_MS,
  /** Two catch-ups of one connection, whatever their evidence, are at least this far apart. */
  catchUpSpacingMs: HOUR_MS,
  /**
   * A connection with no successful call for this long is verified: the floor catch-up's call comes an hour
   * before it, so an idle connection costs one read a day, not two.
   */
  reverifyAfterMs: DAY_MS + HOUR_MS,
  /** A failed Verify or catch-up is tried again after this. */
  retryAfterFailureMs: HOUR_MS,
} as const;

export function factorOf(level: number): number {
  return STRETCH_FACTORS[Math.min(Math.max(Math.trunc(level), 0), MAX_LEVEL)]!;
}

/** The background intervals at a stretch factor. */
export function stretchedIntervals(factor: number): typeof BACKGROUND_INTERVALS {
  const f = Math.max(1, factor);
  return {
    catchUpFloorMs: BACKGROUND_INTERVALS.catchUpFloorMs * f,
    catchUpSpacingMs: BACKGROUND_INTERVALS.catchUpSpacingMs * f,
    // Always an hour after the floor: the floor's catch-up call proves an idle connection first, at every factor.
    reverifyAfterMs: BACKGROUND_INTERVALS.catchUpFloorMs * f + (BACKGROUND_INTERVALS.reverifyAfterMs - BACKGROUND_INTERVALS.catchUpFloorMs),
    retryAfterFailureMs: BACKGROUND_INTERVALS.retryAfterFailureMs * f,
  };
}

export interface GovernorState {
  level: number;
  /** When the level last changed (null: never). */
  changedAt: Date | null;
  /** The month's background reads when it changed. */
  usedAtChange: number | null;
}

export interface GovernorInput {
  now: Date;
  month: QuotaMonth;
  /** The app's monthly CorePlus quota. */
  quota: number;
  /** The background share of it (quota × background_share_pct). */
  budget: number;
  /** Background reads this month so far. */
  backgroundUsed: number;
  /** Background reads a day at the recent rate (the last 7 days, lib/usage/rules/quota-month.ts). */
  backgroundDailyRate: number;
  /** The month-end projection of every other read (users, syncs, webhooks): they keep priority over the quota. */
  foregroundProjected: number;
  state: GovernorState;
}

export interface GovernorDecision extends GovernorState {
  factor: number;
  /** The background reads the month can take: the budget, less what other reads are projected to need of the quota. */
  room: number;
  /** Background reads projected at month end at the decided level. */
  projected: number;
  /** What happened: a step up, a step back, held by the dwell time, or nothing to change. */
  move: "stretch" | "relax" | "dwell" | "steady";
}

/**
 * The next level. The rate is measured since the level last changed when that was at least a day ago in this month
 * (the 7-day rate would still mix in the previous level's); otherwise the 7-day rate. One step up when the projection
 * at this level passes the room; one step back when the next level down would stay under 80 % of it.
 */
export function decideGovernor(input: GovernorInput): GovernorDecision {
  const { now, month, state } = input;
  const level = Math.min(Math.max(Math.trunc(state.level), 0), MAX_LEVEL);
  const room = Math.max(0, Math.min(input.budget, input.quota - input.foregroundProjected));
  const remainingDays = Math.max(0, (month.end.getTime() - now.getTime()) / DAY_MS);
  const changedThisMonth = state.changedAt !== null && state.changedAt >= month.start && state.usedAtChange !== null;
  const sinceChange = changedThisMonth ? now.getTime() - state.changedAt!.getTime() : Infinity;
  const rate =
    changedThisMonth && sinceChange >= GOVERNOR_DWELL_MS ? Math.max(0, input.backgroundUsed - state.usedAtChange!) / (sinceChange / DAY_MS) : input.backgroundDailyRate;
  const projectedAt = (target: number) => Math.round(input.backgroundUsed + rate * (factorOf(level) / factorOf(target)) * remainingDays);
  const keep = (move: GovernorDecision["move"]): GovernorDecision => ({ ...state, level, factor: factorOf(level), room, projected: projectedAt(level), move });
  const change = (to: number, move: GovernorDecision["move"]): GovernorDecision => ({
    level: to,
    factor: factorOf(to),
    changedAt: now,
    usedAtChange: input.backgroundUsed,
    room,
    projected: projectedAt(to),
    move,
  });

  if (sinceChange < GOVERNOR_DWELL_MS) return keep("dwell");
  if (projectedAt(level) > room && level < MAX_LEVEL) return change(level + 1, "stretch");
  if (level > 0 && projectedAt(level - 1) <= room * RELAX_BELOW) return change(level - 1, "relax");
  return keep("steady");
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

function every(ms: number): string {
  const days = ms / DAY_MS;
  if (days === 1) return "daily";
  return Number.isInteger(days) ? `every ${days} days` : `every ${Math.round(ms / HOUR_MS)} hours`;
}

/**
 * What the console says while an app's background reads are slowed, with the numbers; null at the normal pace.
 * "Change-data-capture catch-up slowed to every 3 days to stay under 100,000 background reads of 500,000 this month …"
 */
export function governorWarning(decision: Pick<GovernorDecision, "factor" | "room" | "projected"> & { quota: number; used: number }): string | null {
  if (decision.factor <= 1) return null;
  const intervals = stretchedIntervals(decision.factor);
  return (
    `Change-data-capture catch-up slowed to ${every(intervals.catchUpFloorMs)} (normally daily), and a connection is re-verified only after ` +
    `${Math.round(intervals.reverifyAfterMs / HOUR_MS)} hours without a successful call, to stay under ${count(decision.room)} background reads ` +
    `of ${count(decision.quota)} this month (${count(decision.used)} so far, ${count(decision.projected)} projected). ` +
    `Missed webhooks are still caught up; your own actions and sync runs are not slowed.`
  );
}
