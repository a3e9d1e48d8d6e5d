import type { Step } from "@/lib/quickbooks/rules/steps";
import { LocalTime } from "@/components/ui/LocalTime";

const STATE_LABEL: Record<Step["state"], string> = {
  not_started: "Not started",
  in_progress: "Waiting",
  done: "Done",
  failed: "Failed",
};
const STATE_STYLE: Record<Step["state"], string> = {
  not_started: "bg-slate-100 text-slate-700",
  in_progress: "bg-blue-100 text-blue-800",
  done: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
};
const DESCRIPTION: Record<Step["name"], string> = {
  Auth: "Redirect to Intuit to authorize QuickBooks.",
  Callback: "Receive the code and exchange it for tokens.",
  Verify: "Run a test API call to read the company's details.",
  Connect: "Flag the tenant's connection profile as active.",
};

/** The connect path as an ordered list: each step with its state, time, and what to do when it failed. */
export function StepPath({ steps }: { steps: Step[] }) {
  return (
    <ol aria-label="Connection path" className="grid gap-3 sm:grid-cols-4">
      {steps.map((step, index) => (
        <li key={step.name} data-step={step.name} data-state={step.state} className="rounded-lg border border-slate-200 bg-white p-4">
          <div className="flex items-center justify-between gap-2">
            <h3 className="font-semibold">
              <span className="text-slate-400">{index + 1}.</span> {step.name}
            </h3>
            <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATE_STYLE[step.state]}`}>{STATE_LABEL[step.state]}</span>
          </div>
          <p className="mt-1 text-sm text-slate-600">{DESCRIPTION[step.name]}</p>
          {step.at && (
            <p className="mt-2 text-xs text-slate-500">
              <LocalTime iso={step.at} />
            </p>
          )}
          {step.reason && <p className="mt-2 text-sm text-red-800">{step.reason}</p>}
          {step.action && step.state !== "done" && <p className="mt-1 text-sm text-slate-700">{step.action}</p>}
        </li>
      ))}
    </ol>
  );
}
