"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { IntuitSettingsView } from "@/lib/quickbooks/get-intuit-settings";
import { apiFetch } from "@/components/api-client";
import { LocalTime } from "@/components/ui/LocalTime";

type Update = { environment: "sandbox" | "production"; clientId?: string; clientSecret?: string; redirectUri?: string | null; clearCredentials?: boolean };

const putSettings = (tenantId: string, update: Update) => apiFetch<IntuitSettingsView>("/api/quickbooks/settings", { method: "PUT", body: update, tenantId });

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm";

/** Admins enter the tenant's Intuit app. The secret is write-only: the form never receives it back. */
export function IntuitSettingsForm({ tenantId, initial }: { tenantId: string; initial: IntuitSettingsView }) {
  const [settings, setSettings] = useState(initial);
  const [environment, setEnvironment] = useState(initial.environment);
  const current = settings.credentials.find((c) => c.environment === environment) ?? null;
  const [clientId, setClientId] = useState(current?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [redirectUri, setRedirectUri] = useState(initial.redirectUriOverridden ? initial.redirectUri : "");
  const save = useMutation({
    mutationFn: (update: Update) => putSettings(tenantId, update),
    onSuccess: (next) => {
      setSettings(next);
      setClientSecret("");
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const update: Update = { environment, redirectUri: redirectUri.trim() === "" ? null : redirectUri.trim() };
    if (clientId.trim() && clientId.trim() !== current?.clientId) update.clientId = clientId.trim();
    if (clientSecret.trim()) update.clientSecret = clientSecret.trim();
    save.mutate(update);
  };

  return (
    <section aria-labelledby="credentials-title" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="credentials-title" className="text-lg font-semibold">
        Intuit app credentials
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {settings.activeCredentialsSource === "tenant"
          ? "This tenant uses its own Intuit app."
          : settings.activeCredentialsSource === "platform"
            ? `This tenant uses the platform's Intuit app (${settings.platform.environment}). Enter credentials to use the tenant's own.`
            : "No Intuit app is configured for this environment: enter the client id and secret of the tenant's Intuit app."}
      </p>

      <form onSubmit={onSubmit} className="mt-4 grid max-w-2xl gap-4">
        <div>
          <label htmlFor="environment" className="block text-sm font-medium">
            Environment
          </label>
          <select
            id="environment"
            value={environment}
            onChange={(e) => {
              const next = e.target.value as "sandbox" | "production";
              setEnvironment(next);
              setClientId(settings.credentials.find((c) => c.environment === next)?.clientId ?? "");
            }}
            className="mt-1 rounded-md border border-slate-300 px-3 py-2"
          >
            <option value="sandbox">Sandbox</option>
            <option value="production">Production</option>
          </select>
        </div>
        <div>
          <label htmlFor="client-id" className="block text-sm font-medium">
            Client ID
          </label>
          <input id="client-id" value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" className={input} />
        </div>
        <div>
          <label htmlFor="client-secret" className="block text-sm font-medium">
            Client secret
          </label>
          <input
            id="client-secret"
            type="password"
            value={clientSecret}
            onChange={(e) => setClientSecret(e.target.value)}
            autoComplete="new-password"
            aria-describedby="secret-help"
            className={input}
          />
          <p id="secret-help" className="mt-1 text-xs text-slate-500">
            {current ? (
              <>
                A secret ending in <span className="font-mono">…{current.secretLast4}</span> was set on <LocalTime iso={current.setAt} />
                {current.setBy ? ` by ${current.setBy}` : ""}. It is never shown again; enter a new one to replace it.
              </>
            ) : (
              "Write-only: once saved, only its last four characters are shown."
            )}
          </p>
        </div>
        <div>
          <label htmlFor="redirect-uri" className="block text-sm font-medium">
            Redirect URI registered at Intuit
          </label>
          <input
            id="redirect-uri"
            value={redirectUri}
            onChange={(e) => setRedirectUri(e.target.value)}
            placeholder={settings.expectedRedirectUri}
            className={input}
            aria-describedby="redirect-help"
          />
          <p id="redirect-help" className="mt-1 text-xs text-slate-500">
            Leave empty to use {settings.expectedRedirectUri}, this app&apos;s callback route.
          </p>
        </div>
        <div className="flex flex-wrap gap-3">
          <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
            {save.isPending ? "Saving…" : "Save settings"}
          </button>
          {current && (
            <button
              type="button"
              disabled={save.isPending}
              onClick={() => save.mutate({ environment, clearCredentials: true })}
              className="rounded-md border border-slate-300 px-4 py-2 hover:bg-slate-100"
            >
              Remove the tenant&apos;s credentials for {environment}
            </button>
          )}
        </div>
        <div aria-live="polite" className="text-sm">
          {save.isSuccess && <p className="text-green-800">Settings saved. If the Intuit app changed, reconnect to QuickBooks.</p>}
          {save.isError && <p className="text-red-800">{save.error.message}</p>}
        </div>
      </form>
    </section>
  );
}
