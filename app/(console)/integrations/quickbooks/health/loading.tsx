/** Shown while the health dashboard's metrics are read. */
export default function HealthLoading() {
  return (
    <div className="space-y-8" aria-busy="true">
      <div>
        <h1 className="text-2xl font-semibold">Integration health</h1>
        <p className="mt-1 text-sm text-slate-600">Loading the metrics…</p>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" aria-hidden="true">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-20 animate-pulse rounded-lg border border-slate-200 bg-slate-100" />
        ))}
      </div>
      <div className="grid gap-4 lg:grid-cols-2" aria-hidden="true">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-72 animate-pulse rounded-lg border border-slate-200 bg-slate-100" />
        ))}
      </div>
    </div>
  );
}
