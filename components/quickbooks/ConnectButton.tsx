import { connectHref } from "./api";

/**
 * Intuit's "Connect to QuickBooks" button, drawn in Intuit's style (green, rounded, white label) because the official
 * image cannot be fetched at run time. A plain link: the route answers with a redirect to Intuit. It names the tenant
 * its page was rendered for: followed after the session moved to another tenant, it starts nothing.
 */
export function ConnectButton({ tenantId }: { tenantId: string }) {
  return (
    <a
      href={connectHref(tenantId)}
      className="inline-flex items-center gap-2 rounded-md bg-intuit px-5 py-2.5 font-semibold text-white shadow-sm hover:bg-intuit-dark"
    >
      <span aria-hidden="true" className="inline-flex h-5 w-5 items-center justify-center rounded-full bg-white text-xs font-bold text-intuit">
        qb
      </span>
      Connect to QuickBooks
    </a>
  );
}
