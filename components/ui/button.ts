/** The console's secondary action button (white, bordered): "Run sync", "Match by name", "Reconcile now"… */
export const secondaryButton = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60";
