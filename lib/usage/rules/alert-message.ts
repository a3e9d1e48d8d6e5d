// What the console's banner says about a usage alert: what happened, in numbers, and what to do. Pure, so each wording
// is a unit test and the page and banner cannot drift apart.
import type { AlertBasis } from "./alert-thresholds";
import { nextTierAbove, TIER_LABELS } from "./plan-tiers";

export interface AlertMessageInput {
  /** "The platform's Intuit app", "Acme Field Services's own Intuit app". */
  appLabel: string;
  threshold: number;
  basis: AlertBasis;
  readsAtAlert: number;
  projectedAtAlert: number;
  quota: number;
  /** The first instant of the next quota month. */
  monthEnd: Date;
  /**
   * Who sets this app's plan, as the viewer should be told: the viewer (the operator the platform's, an admin their
   * tenant's own), the platform operator (a tenant admin on the platform's app), or a tenant's admins (the operator
   * looking at that tenant's own app).
   */
  planSetBy: { kind: "viewer" } | { kind: "platform_operator" } | { kind: "tenant_admins"; tenantName: string };
}

const count = new Intl.NumberFormat("en-US");
const day = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", timeZone: "UTC" });

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The banner's two sentences: what happened, and what to do about it. */
export function alertMessage(input: AlertMessageInput): { headline: string; action: string } {
  const app = capitalised(input.appLabel);
  const quota = count.format(input.quota);
  const turn = day.format(input.monthEnd);
  const headline =
    input.basis === "projected"
      ? `${app} is on course to use ${input.threshold} % of its monthly Intuit read quota before the month turns on ${turn} UTC: ${count.format(input.projectedAtAlert)} of ${quota} metered reads at the last 7 days' rate.`
      : input.threshold >= 100
        ? `${app} has used its whole monthly Intuit read quota: ${count.format(input.readsAtAlert)} of ${quota} metered reads. Intuit refuses its reads until the month turns on ${turn} UTC.`
        : `${app} has used ${input.threshold} % of its monthly Intuit read quota: ${count.format(input.readsAtAlert)} of ${quota} metered reads.`;
  const next = nextTierAbove(input.quota);
  const tier = next ? `upgrade the app's tier with Intuit (${TIER_LABELS[next.tier]}: ${count.format(next.quota)} reads a month)` : "ask Intuit for a larger quota";
  const who = input.planSetBy;
  const upgrade =
    who.kind === "viewer"
      ? `${capitalised(tier)}, then set the new plan on the Usage page.`
      : who.kind === "platform_operator"
        ? "The platform operator has been alerted and can upgrade the Intuit plan."
        : `${who.tenantName}'s admins set this app's plan: they can ${tier}, then set it on their Usage page.`;
  const slows =
    input.basis === "actual" && input.threshold >= 100
      ? "Until then syncs and checks cannot read QuickBooks; writes, sign-in and the console keep working."
      : "Meanwhile the product slows its own background reads first (re-verify, change catch-up, checks); your actions and sync runs keep priority.";
  return { headline, action: `${upgrade} ${slows}` };
}
