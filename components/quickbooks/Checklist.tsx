import type { ChecklistItem } from "@/lib/quickbooks/rules/readiness";
import { LocalTime } from "@/components/ui/LocalTime";

/** The readiness checklist: each item with pass/fail, what was checked, when, the value seen, and what to do. */
export function Checklist({ items }: { items: ChecklistItem[] }) {
  return (
    <ul aria-label="Readiness checklist" className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
      {items.map((item) => (
        <li key={item.name} data-state={item.passed ? "pass" : "fail"} data-check={item.name} className="flex gap-3 p-4">
          <span
            aria-hidden="true"
            className={`mt-0.5 inline-flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-sm font-bold text-white ${item.passed ? "bg-green-600" : "bg-red-600"}`}
          >
            {item.passed ? "✓" : "✕"}
          </span>
          <div className="min-w-0 space-y-1">
            <p className="font-medium">
              <span>{item.name}</span>
              <span className="sr-only">{item.passed ? ": passed" : ": failed"}</span>
            </p>
            <p className="text-sm text-slate-700" data-testid="evidence">
              {item.evidence}
            </p>
            <p className="text-xs text-slate-500">
              Checked {item.detail.checked}
              {item.detail.at && (
                <>
                  {" "}
                  (<LocalTime iso={item.detail.at} />)
                </>
              )}
              : {item.detail.value}
            </p>
            {item.action && (
              <p className="text-sm font-medium text-red-800" data-testid="action">
                What to do: {item.action}
              </p>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
