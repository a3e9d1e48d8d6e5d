import type { ReactNode } from "react";
import { TIER_LABELS, isPlanTier, nextTierAbove } from "@/lib/usage/rules/plan-tiers";

// The month of one Intuit app against its quota: a bar (role progressbar, its numbers also in text), the projection
// from the last 7 days' rate with the day the quota would run out, the plan, the background budget and Intuit's block,
// and, when the month is at risk, what to do about it and who can. Server-rendered: every figure is text a screen
// reader and a test read as is.

const count = new Intl.NumberFormat("en-US");
const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const dayFormat = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "UTC" });

export interface UsageMonthFigures {
  used: number;
  quota: number;
  tier: string;
  monthStartDay: number;
  /** ISO instants: the quota month's first instant and the next one's. */
  monthStart: string;
  monthEnd: string;
  projection: { monthEnd: number; dailyRate: number; quotaRunsOutAt: string | null };
  background: { used: number; budget: number; sharePct: number };
  readsBlockedUntil: string | null;
}

/**
 * Who sets the app's plan, as the viewer should be told: the viewer themselves (the form is below), the platform
 * operator (a tenant's admin on the platform's app), or the admins of the tenant whose own app it is (the operator
 * looking at a tenant's app).
 */
export type PlanSetter = { kind: "viewer" } | { kind: "operator" } | { kind: "tenant_admins"; tenantName: string };

/** From 80 % of the quota used, or a projection past it, the month is at risk: the card says what to do. */
const AT_RISK_FRACTION = 0.8;

const share = (part: number, whole: number) => (whole > 0 ? percent.format(part / whole) : "—");

function barColour(fraction: number): string {
  if (fraction >= 0.95) return "bg-red-600";
  if (fraction >= 0.8) return "bg-amber-500";
  return "bg-blue-600";
}

export function UsageMonth({ figures, label, planSetter }: { figures: UsageMonthFigures; label: string; planSetter: PlanSetter }) {
  const { used, quota, projection } = figures;
  const fraction = quota > 0 ? used / quota : 0;
  const projectedFraction = quota > 0 ? projection.monthEnd / quota : 0;
  const lastDay = new Date(new Date(figures.monthEnd).getTime() - 1);
  const text = `${count.format(used)} of ${count.format(quota)} metered reads (${share(used, quota)})`;
  return (
    <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <div>
        <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
          <span id="usage-bar-label" className="font-medium">
            Metered reads this month
          </span>
          <span data-testid="usage-month-text" className="tabular-nums">
            {text}
          </span>
        </div>
        <div
          role="progressbar"
          aria-labelledby="usage-bar-label"
          aria-valuemin={0}
          aria-valuemax={quota}
          aria-valuenow={Math.min(used, quota)}
          aria-valuetext={text}
          className="relative mt-2 h-4 overflow-hidden rounded bg-slate-200"
        >
          {/* The projection, lighter, behind the month so far. */}
          <div aria-hidden="true" className="absolute inset-y-0 left-0 bg-slate-400/50" style={{ width: `${Math.min(projectedFraction, 1) * 100}%` }} />
          <div aria-hidden="true" className={`absolute inset-y-0 left-0 ${barColour(fraction)}`} style={{ width: `${Math.min(fraction, 1) * 100}%` }} />
        </div>
        <p className="mt-1 text-xs text-slate-500">
          Quota month {dayFormat.format(new Date(figures.monthStart))} to {dayFormat.format(lastDay)} (UTC) of {label}. The lighter bar is the projection.
        </p>
      </div>

      {figures.readsBlockedUntil && (
        <p className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          Intuit has blocked this app&apos;s reads until {timeFormat.format(new Date(figures.readsBlockedUntil))} UTC: its monthly quota is used up. Writes,
          sign-in and the console keep working.
        </p>
      )}

      <NextSteps figures={figures} planSetter={planSetter} />

      <dl className="grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <Figure term="Projected at month end" testId="usage-projection">
          {count.format(projection.monthEnd)} ({share(projection.monthEnd, quota)} of the quota)
        </Figure>
        <Figure term="Rate" testId="usage-rate">
          {count.format(Math.round(projection.dailyRate))} reads a day, over the last 7 days
        </Figure>
        <Figure term="Quota runs out" testId="usage-runs-out">
          {projection.quotaRunsOutAt ? (
            <span className="font-medium text-red-800">On {dayFormat.format(new Date(projection.quotaRunsOutAt))} at this rate</span>
          ) : (
            "Not this month at this rate"
          )}
        </Figure>
        <Figure term="Background reads" testId="usage-background">
          {count.format(figures.background.used)} of the {count.format(figures.background.budget)} budget ({figures.background.sharePct}% of the quota)
        </Figure>
        <Figure term="Plan" testId="usage-plan">
          {isPlanTier(figures.tier) ? TIER_LABELS[figures.tier] : figures.tier}: {count.format(quota)} reads a month, starting on day {figures.monthStartDay} (UTC)
        </Figure>
      </dl>
    </div>
  );
}

/**
 * What to do when the month is at risk (80 % used, or projected past the quota) or the quota is gone: the situation in
 * one sentence, who can raise the quota and how, and what the product does meanwhile. Nothing when all is well.
 */
function NextSteps({ figures, planSetter }: { figures: UsageMonthFigures; planSetter: PlanSetter }) {
  const { used, quota, projection } = figures;
  const usedUp = figures.readsBlockedUntil !== null || (quota > 0 && used >= quota);
  const runsOut = projection.quotaRunsOutAt !== null;
  if (!usedUp && !runsOut && !(quota > 0 && used >= quota * AT_RISK_FRACTION)) return null;

  const turn = dayFormat.format(new Date(figures.monthEnd));
  const situation = usedUp
    ? `The quota is used up: Intuit refuses this app's reads until the quota month turns on ${turn}.`
    : runsOut
      ? `At this rate the quota runs out on ${dayFormat.format(new Date(projection.quotaRunsOutAt!))}, before the quota month turns on ${turn}.`
      : `${share(used, quota)} of the quota is used; the quota month turns on ${turn}.`;
  const next = nextTierAbove(quota);
  const who =
    planSetter.kind === "viewer"
      ? next
        ? `Upgrade the app's tier with Intuit (${TIER_LABELS[next.tier]}: ${count.format(next.quota)} reads a month), then set the new plan below.`
        : "Ask Intuit for a larger quota, then set it in the plan below."
      : planSetter.kind === "operator"
        ? "The platform operator sets this app's plan and is alerted too: ask them to upgrade the tier with Intuit."
        : `${planSetter.tenantName}'s admins set this app's plan: the tier is theirs to upgrade with Intuit.`;
  const meanwhile = usedUp
    ? "Until then syncs and checks cannot read QuickBooks; writes, sign-in and the console keep working."
    : "Meanwhile the product slows its own background reads first (re-verify, change catch-up, checks); user actions and sync runs keep priority.";
  const tone = usedUp || runsOut ? "border-red-200 bg-red-50 text-red-950" : "border-amber-300 bg-amber-50 text-amber-950";
  return (
    <div data-testid="usage-next-steps" className={`space-y-1 rounded border p-3 text-sm ${tone}`}>
      <p className="font-medium">{situation}</p>
      <p>
        What to do: {who} {meanwhile}
      </p>
    </div>
  );
}

function Figure({ term, testId, children }: { term: string; testId: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{term}</dt>
      <dd data-testid={testId} className="mt-1 tabular-nums">
        {children}
      </dd>
    </div>
  );
}
