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

const field = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-600";
const count = new Intl.NumberFormat("en-US");

type Field = "quota" | "startDay" | "backgroundShare";
const FIELD_IDS: Record<Field, string> = { quota: "plan-quota", startDay: "plan-start-day", backgroundShare: "plan-background" };

/** A whole number from `min` to `max`, as typed (digits only: no sign, decimals or exponent), else null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

/** The plan as typed, or what is wrong with each field, in words: the server's own rules (lib/usage/update-app-plan.ts). */
function readPlanForm(input: { quota: string; startDay: string; backgroundShare: string }):
  | { ok: true; values: { monthlyQuota: number; monthStartDay: number; backgroundSharePct: number } }
  | { ok: false; problems: Partial<Record<Field, string>> } {
  const monthlyQuota = wholeNumber(input.quota, 1, MAX_MONTHLY_QUOTA);
  const monthStartDay = wholeNumber(input.startDay, 1, 28);
  const backgroundSharePct = wholeNumber(input.backgroundShare, 1, 100);
  const problems: Partial<Record<Field, string>> = {};
  if (monthlyQuota === null) problems.quota = `Enter the monthly quota as a whole number of reads, from 1 to ${count.format(MAX_MONTHLY_QUOTA)}.`;
  if (monthStartDay === null) problems.startDay = "Enter a day from 1 to 28: the quota month starts on that day of every month (UTC).";
  if (backgroundSharePct === null) problems.backgroundShare = "Enter a whole percentage from 1 to 100.";
  if (monthlyQuota === null || monthStartDay === null || backgroundSharePct === null) return { ok: false, problems };
  return { ok: true, values: { monthlyQuota, monthStartDay, backgroundSharePct } };
}

export function UsagePlanForm({ tenantId, route, initial, appLabel }: { tenantId: string; route: string; initial: PlanValues; appLabel: string }) {
  const router = useRouter();
  const [tier, setTier] = useState<PlanTier>((PLAN_TIERS as readonly string[]).includes(initial.tier) ? (initial.tier as PlanTier) : "custom");
  const [quota, setQuota] = useState(String(initial.monthlyQuota));
  const [startDay, setStartDay] = useState(String(initial.monthStartDay));
  const [backgroundShare, setBackgroundShare] = useState(String(initial.backgroundSharePct));
  const [problems, setProblems] = useState<Partial<Record<Field, string>>>({});
  const save = useMutation({
    mutationFn: (body: { tier: PlanTier; monthlyQuota: number; monthStartDay: number; backgroundSharePct: number }) =>
      apiFetch<{ plan: PlanValues }>(route, { method: "PUT", body, tenantId }),
    onSuccess: () => router.refresh(),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const read = readPlanForm({ quota, startDay, backgroundShare });
    if (!read.ok) {
      setProblems(read.problems);
      save.reset();
      // The first field in error takes the focus: its message is read out with it.
      const first = (Object.keys(FIELD_IDS) as Field[]).find((f) => read.problems[f]);
      if (first) document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    setProblems({});
    save.mutate({ tier, ...read.values });
  };
  /** A field's help and, when it is wrong, its message: what aria-describedby names. */
  const describedBy = (f: Field, help?: string) => [help, problems[f] ? `${FIELD_IDS[f]}-error` : undefined].filter(Boolean).join(" ") || undefined;
  const problem = (f: Field) =>
    problems[f] ? (
      <p id={`${FIELD_IDS[f]}-error`} className="mt-1 text-xs font-medium text-red-800">
        {problems[f]}
      </p>
    ) : null;
  const quotaNow = wholeNumber(quota, 1, MAX_MONTHLY_QUOTA);

  return (
    // noValidate: the fields are checked here, each with its message in words next to it (the browser's bubbles vanish).
    <form onSubmit={onSubmit} noValidate aria-label={`Plan of ${appLabel}`} className="grid max-w-2xl gap-4 sm:grid-cols-2">
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
        <input
          id="plan-quota"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_MONTHLY_QUOTA}
          step={1}
          required
          value={quota}
          onChange={(e) => setQuota(e.target.value)}
          className={field}
          aria-invalid={problems.quota ? true : undefined}
          aria-describedby={describedBy("quota", "plan-quota-help")}
        />
        <p id="plan-quota-help" className="mt-1 text-xs text-slate-600">
          {quotaNow !== null ? `${count.format(quotaNow)} reads a month. ` : ""}
          {tier === "custom" ? "The quota of the app's agreement with Intuit." : "Filled from the tier; change it if Intuit's agreement says otherwise."}
        </p>
        {problem("quota")}
      </div>
      <div>
        <label htmlFor="plan-start-day" className="block text-sm font-medium">
          Quota month starts on day (UTC)
        </label>
        <input
          id="plan-start-day"
          type="number"
          inputMode="numeric"
          min={1}
          max={28}
          step={1}
          required
          value={startDay}
          onChange={(e) => setStartDay(e.target.value)}
          className={field}
          aria-invalid={problems.startDay ? true : undefined}
          aria-describedby={describedBy("startDay")}
        />
        {problem("startDay")}
      </div>
      <div>
        <label htmlFor="plan-background" className="block text-sm font-medium">
          Background share (% of the quota)
        </label>
        <input
          id="plan-background"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          step={1}
          required
          value={backgroundShare}
          onChange={(e) => setBackgroundShare(e.target.value)}
          className={field}
          aria-invalid={problems.backgroundShare ? true : undefined}
          aria-describedby={describedBy("backgroundShare", "plan-background-help")}
        />
        <p id="plan-background-help" className="mt-1 text-xs text-slate-600">
          What the product&apos;s own re-verify, catch-up and checks may spend; past it, they slow down first.
        </p>
        {problem("backgroundShare")}
      </div>
      <div className="flex items-center gap-3 sm:col-span-2">
        <button type="submit" disabled={save.isPending} className="shrink-0 whitespace-nowrap rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {save.isPending ? "Saving…" : "Save plan"}
        </button>
        <div aria-live="polite" className="text-sm">
          {save.isSuccess && <p className="text-green-800">Plan saved.</p>}
          {save.isError && <p className="text-red-800">The plan was not saved: {save.error.message}</p>}
          {Object.keys(problems).length > 0 && <p className="text-red-800">The plan was not saved: correct the fields marked above.</p>}
        </div>
      </div>
    </form>
  );
}
