"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-client";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { LocalTime } from "@/components/ui/LocalTime";
import { Table, TableBody, TableHead } from "@/components/ui/Table";
import type { ApiKeyView } from "@/lib/api-keys/api-key-view";
import type { ApiKeyScope } from "@/lib/auth/permissions";

const fetchKeys = async (tenantId: string) => (await apiFetch<{ apiKeys: ApiKeyView[] }>("/api/quickbooks/api-keys", { tenantId })).apiKeys;

const STATUS_LABEL: Record<ApiKeyView["status"], string> = {
  active: "Active",
  rotating: "Rotated (grace period)",
  expired: "Expired",
  revoked: "Revoked",
  replaced: "Replaced",
};

const KEY_COLUMNS = ["Name", "Prefix", "Scopes", "Created", "Expires", "Last used", "Status", { label: "Actions", srOnly: true }];
const GRACE_CHOICES = [0, 1, 7, 30];
const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

/** Admins create, list, rotate and revoke the tenant's API keys. A new key is shown once, here, and never again. */
export function ApiKeysManager({
  tenantId,
  initial,
  scopes,
  maxExpiryDate,
}: {
  tenantId: string;
  initial: ApiKeyView[];
  scopes: { scope: ApiKeyScope; description: string }[];
  maxExpiryDate: string;
}) {
  const [keys, setKeys] = useState(initial);
  const [revealed, setRevealed] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<ApiKeyScope[]>([]);
  const [expiresAt, setExpiresAt] = useState("");
  const [revoking, setRevoking] = useState<ApiKeyView | null>(null);
  const [rotating, setRotating] = useState<ApiKeyView | null>(null);
  const [graceDays, setGraceDays] = useState(7);

  const reveal = async (created: { key: string; apiKey: ApiKeyView }) => {
    setRevealed({ name: created.apiKey.name, key: created.key });
    setCopied(false);
    setKeys(await fetchKeys(tenantId));
  };
  const create = useMutation({
    mutationFn: () => apiFetch<{ key: string; apiKey: ApiKeyView }>("/api/quickbooks/api-keys", { method: "POST", body: { name, scopes: chosen, expiresAt }, tenantId }),
    onSuccess: async (created) => {
      setName("");
      setChosen([]);
      setExpiresAt("");
      await reveal(created);
    },
  });
  const revoke = useMutation({
    mutationFn: (key: ApiKeyView) => apiFetch(`/api/quickbooks/api-keys/${key.id}/revoke`, { method: "POST", tenantId }),
    onSuccess: async () => setKeys(await fetchKeys(tenantId)),
  });
  const rotate = useMutation({
    mutationFn: ({ key, days }: { key: ApiKeyView; days: number }) =>
      apiFetch<{ key: string; apiKey: ApiKeyView }>(`/api/quickbooks/api-keys/${key.id}/rotate`, { method: "POST", body: { graceDays: days }, tenantId }),
    onSuccess: reveal,
  });
  const failure = create.error ?? revoke.error ?? rotate.error;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <div className="space-y-8">
      {revealed && (
        <section aria-labelledby="new-key-title" className="rounded-lg border border-amber-300 bg-amber-50 p-4">
          <h2 id="new-key-title" className="text-lg font-semibold">
            Your new key “{revealed.name}”
          </h2>
          <p className="mt-1 text-sm font-medium text-amber-900">Copy it now: you won&apos;t see it again. Only its prefix is kept.</p>
          <div className="mt-3 flex flex-wrap items-center gap-3">
            <code data-testid="new-api-key" className="break-all rounded bg-white px-2 py-1 font-mono text-sm">
              {revealed.key}
            </code>
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard?.writeText(revealed.key);
                setCopied(true);
              }}
              className="rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100"
            >
              {copied ? "Copied" : "Copy key"}
            </button>
            <button type="button" onClick={() => setRevealed(null)} className="rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100">
              I have stored it
            </button>
          </div>
        </section>
      )}

      <section aria-labelledby="create-key-title" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="create-key-title" className="text-lg font-semibold">
          Create an API key
        </h2>
        <form onSubmit={onSubmit} className="mt-4 grid max-w-2xl gap-4">
          <div>
            <label htmlFor="key-name" className="block text-sm font-medium">
              Name
            </label>
            <input id="key-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} className={input} />
          </div>
          <fieldset>
            <legend className="text-sm font-medium">Scopes</legend>
            <div className="mt-1 space-y-1">
              {scopes.map(({ scope, description }) => (
                <label key={scope} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={chosen.includes(scope)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, scope] : chosen.filter((s) => s !== scope))}
                  />
                  <span className="font-mono">{scope}</span>
                  <span className="text-slate-600">{description}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <div>
            <label htmlFor="key-expiry" className="block text-sm font-medium">
              Expires on
            </label>
            <input
              id="key-expiry"
              type="date"
              required
              max={maxExpiryDate}
              value={expiresAt}
              onChange={(e) => setExpiresAt(e.target.value)}
              aria-describedby="expiry-help"
              className="mt-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
            <p id="expiry-help" className="mt-1 text-xs text-slate-500">
              Required, at most one year ahead. The key stops working at the end of that day (UTC).
            </p>
          </div>
          <div>
            <button
              type="submit"
              disabled={create.isPending || chosen.length === 0}
              className="rounded-md bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
            >
              {create.isPending ? "Creating…" : "Create key"}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite" className="text-sm">
        {failure && <p className="text-red-800">{failure.message}</p>}
      </div>

      <section aria-labelledby="keys-title">
        <h2 id="keys-title" className="text-lg font-semibold">
          Keys
        </h2>
        {keys.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No API keys yet.</p>
        ) : (
          <div className="mt-2">
            <Table caption="API keys of this tenant">
              <TableHead columns={KEY_COLUMNS} />
              <TableBody>
                {keys.map((key) => {
                  const usable = key.status === "active" || key.status === "rotating";
                  return (
                    <tr key={key.id} className="align-top" data-testid="api-key-row" data-status={key.status}>
                      <td className="px-3 py-2">{key.name}</td>
                      <td className="px-3 py-2 font-mono">{key.prefix}</td>
                      <td className="px-3 py-2 font-mono">{key.scopes.join(" ")}</td>
                      <td className="px-3 py-2">
                        <LocalTime iso={key.createdAt} />
                        {key.createdBy && <span className="block text-xs text-slate-500">by {key.createdBy}</span>}
                      </td>
                      <td className="px-3 py-2">
                        <LocalTime iso={key.expiresAt} />
                      </td>
                      <td className="px-3 py-2">{key.lastUsedAt ? <LocalTime iso={key.lastUsedAt} /> : "Never"}</td>
                      <td className="px-3 py-2">
                        {STATUS_LABEL[key.status]}
                        {key.status === "rotating" && key.graceExpiresAt && (
                          <span className="block text-xs text-slate-500">
                            works until <LocalTime iso={key.graceExpiresAt} />
                          </span>
                        )}
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex gap-2">
                          {key.status === "active" && (
                            <button type="button" onClick={() => setRotating(key)} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
                              Rotate
                            </button>
                          )}
                          {usable && (
                            <button type="button" onClick={() => setRevoking(key)} className="rounded border border-red-300 px-2 py-1 text-red-800 hover:bg-red-50">
                              Revoke
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </TableBody>
            </Table>
          </div>
        )}
      </section>

      {/* Mounted only while asked: the dialogs share ConfirmDialog's title id. */}
      {revoking && (
        <ConfirmDialog
          open
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            revoke.mutate(revoking);
            setRevoking(null);
          }}
        >
          Every system using the key <span className="font-mono">{revoking.prefix}</span> gets 401 from now on. This cannot be undone.
        </ConfirmDialog>
      )}

      {rotating && (
        <ConfirmDialog
          open
          title={`Rotate “${rotating.name}”?`}
          confirmLabel="Rotate key"
          onCancel={() => setRotating(null)}
          onConfirm={() => {
            rotate.mutate({ key: rotating, days: graceDays });
            setRotating(null);
          }}
        >
          <p>A new key with the same scopes is issued and shown once. The old key keeps working for the grace period, then gets 401.</p>
          <label htmlFor="grace-days" className="mt-3 block font-medium">
            Grace period
          </label>
          <select id="grace-days" value={graceDays} onChange={(e) => setGraceDays(Number(e.target.value))} className="mt-1 rounded-md border border-slate-300 px-2 py-1">
            {GRACE_CHOICES.map((days) => (
              <option key={days} value={days}>
                {days === 0 ? "None: stop the old key now" : `${days} day${days === 1 ? "" : "s"}`}
              </option>
            ))}
          </select>
        </ConfirmDialog>
      )}
    </div>
  );
}
