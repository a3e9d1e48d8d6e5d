"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-client";
import { MAX_MONTHLY_QUOTA, PLAN_TIERS, TIER_LABELS, tierQuota, type PlanTier } from "@/lib/usage/rules/plan-tiers";

/**
 * The plan of an Intuit app, for the person who sets it (the operator the platform's app, a tenant's admin its own):
 * the tier, whose quota fills the quota field (a custom plan types its own), the day the quota month starts, and
 * the share of the quota the product's background reads may spend. Saved through the route the page names; the
 * page is then read again, so every figure on it follows the new plan.
 */

export interface PlanValues {
  tier: string;
  monthlyQuota: number;
  monthStartDay: number;
  backgroundSharePct: number;
}

const field = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export function UsagePlanForm({ tenantId, route, initial, appLabel }: { tenantId: string; route: string; initial: PlanValues; appLabel: string }) {
  const router = useRouter();
  const [tier, setTier] = useState<PlanTier>((PLAN_TIERS as readonly string[]).includes(initial.tier) ? (initial.tier as PlanTier) : "custom");
  const [quota, setQuota] = useState(String(initial.monthlyQuota));
  const [startDay, setStartDay] = useState(String(initial.monthStartDay));
  const [backgroundShare, setBackgroundShare] = useState(String(initial.backgroundSharePct));
  const save = useMutation({
    mutationFn: (body: { tier: PlanTier; monthlyQuota: number; monthStartDay: number; backgroundSharePct: number }) =>
      apiFetch<{ plan: PlanValues }>(route, { method: "PUT", body, tenantId }),
    onSuccess: () => router.refresh(),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ tier, monthlyQuota: Number(quota), monthStartDay: Number(startDay), backgroundSharePct: Number(backgroundShare) });
  };

  return (
    <form onSubmit={onSubmit} aria-label={`Plan of ${appLabel}`} className="grid max-w-2xl gap-4 sm:grid-cols-2">
      <div>
        <label htmlFor="plan-tier" className="block text-sm font-medium">
          Intuit tier
        </label>
        <select
          id="plan-tier"
          value={tier}
          onChange={(e) => {
            const next = e.target.value as PlanTier;
            setTier(next);
            const quotaOfTier = tierQuota(next);
            if (quotaOfTier !== null) setQuota(String(quotaOfTier));
          }}
          className={field}
        >
          {PLAN_TIERS.map((t) => (
            <option key={t} value={t}>
              {TIER_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="plan-quota" className="block text-sm font-medium">
          Monthly CorePlus quota (reads)
        </label>
        <input id="plan-quota" type="number" min={1} max={MAX_MONTHLY_QUOTA} step={1} required value={quota} onChange={(e) => setQuota(e.target.value)} className={field} aria-describedby="plan-quota-help" />
        <p id="plan-quota-help" className="mt-1 text-xs text-slate-500">
          Filled from the tier; change it if Intuit&apos;s agreement says otherwise.
        </p>
      </div>
      <div>
        <label htmlFor="plan-start-day" className="block text-sm font-medium">
          Quota month starts on day (UTC)
        </label>
        <input id="plan-start-day" type="number" min={1} max={28} step={1} required value={startDay} onChange={(e) => setStartDay(e.target.value)} className={field} />
      </div>
      <div>
        <label htmlFor="plan-background" className="block text-sm font-medium">
          Background share (% of the quota)
        </label>
        <input id="plan-background" type="number" min={1} max={100} step={1} required value={backgroundShare} onChange={(e) => setBackgroundShare(e.target.value)} className={field} aria-describedby="plan-background-help" />
        <p id="plan-background-help" className="mt-1 text-xs text-slate-500">
          What the product&apos;s own re-verify, catch-up and checks may spend; past it, they slow down first.
        </p>
      </div>
      <div className="flex items-center gap-3 sm:col-span-2">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {save.isPending ? "Saving…" : "Save plan"}
        </button>
        <div aria-live="polite" className="text-sm">
          {save.isSuccess && <p className="text-green-800">Plan saved.</p>}
          {save.isError && <p className="text-red-800">{save.error.message}</p>}
        </div>
      </div>
    </form>
  );
}
