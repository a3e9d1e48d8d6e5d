import type { IndicatorColor } from "@/lib/quickbooks/rules/steps";

/** The green/red sync indicator with the reasons it is red, announced politely to screen readers. */
export function SyncIndicator({ indicator, reasons }: { indicator: IndicatorColor; reasons: string[] }) {
  const green = indicator === "green";
  return (
    <div
      role="status"
      data-testid="sync-indicator"
      data-state={indicator}
      className={`flex items-start gap-3 rounded-lg border p-4 ${green ? "border-green-300 bg-green-50" : "border-red-300 bg-red-50"}`}
    >
      <span aria-hidden="true" className={`mt-1 inline-block h-3 w-3 shrink-0 rounded-full ${green ? "bg-green-600" : "bg-red-600"}`} />
      <div>
        <p className="font-semibold">{green ? "Sync indicator: green — ready to sync" : "Sync indicator: red — not ready to sync"}</p>
        {reasons.length > 0 && (
          <ul className="mt-1 list-disc pl-5 text-sm text-slate-800">
            {reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
