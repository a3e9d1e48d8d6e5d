import Link from "next/link";

// The usage alerts on top of every console page (app/(console)/layout.tsx): for the platform operator every Intuit
// app's, for a tenant's admin the app the tenant uses. Each says what happened and what to do. A landmark of its own,
// so a screen reader can find it; not an ARIA alert, which would be read out again on every page.

export interface UsageAlertBannerNotice {
  appKey: string;
  threshold: number;
  headline: string;
  action: string;
  href: string;
}

/** How many apps' alerts are spelled out; the rest are counted, and listed on the usage page. */
const SHOWN = 3;

export function UsageAlertBanner({ notices }: { notices: UsageAlertBannerNotice[] }) {
  if (notices.length === 0) return null;
  const shown = notices.slice(0, SHOWN);
  const more = notices.length - shown.length;
  const severe = notices.some((n) => n.threshold >= 95);
  return (
    <aside
      aria-label="Intuit usage alerts"
      data-testid="usage-alert-banner"
      className={`mb-6 space-y-2 rounded-lg border p-4 text-sm ${severe ? "border-red-300 bg-red-50 text-red-950" : "border-amber-300 bg-amber-50 text-amber-950"}`}
    >
      {shown.map((notice, i) => (
        <div key={notice.appKey} data-testid="usage-alert" data-threshold={notice.threshold}>
          <p id={`usage-alert-${i}`} className="font-medium">
            {notice.headline}
          </p>
          <p>
            {notice.action}{" "}
            {/* Several alerts have a link each: the headline tells them apart. */}
            <Link href={notice.href} aria-describedby={`usage-alert-${i}`} className="font-medium underline">
              See the usage
            </Link>
          </p>
        </div>
      ))}
      {more > 0 && (
        <p>
          And {more} more Intuit app{more === 1 ? "" : "s"} past a threshold:{" "}
          <Link href="/integrations/quickbooks/usage" className="underline">
            see every app
          </Link>
          .
        </p>
      )}
    </aside>
  );
}
