import type { Metadata } from "next";
import { ApiKeysManager } from "@/components/quickbooks/ApiKeysManager";
import { latestExpiry } from "@/lib/api-keys/api-key-rules";
import { listApiKeys } from "@/lib/api-keys/list-api-keys";
import { requirePageActor } from "@/lib/auth/guard";
import { API_KEY_SCOPES, SCOPE_DESCRIPTIONS } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const actor = await requirePageActor("apikeys.manage");
  const keys = await listApiKeys({ tenantId: actor.tenantId });
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">API keys</h1>
        <p className="mt-1 text-sm text-slate-600">
          Keys let {actor.tenantName}&apos;s own systems read the connection status, read and export the logs, or trigger a Verify, with{" "}
          <code className="font-mono">Authorization: Bearer &lt;key&gt;</code>. A key never changes credentials, settings or the connection.
          Every creation, rotation, revocation and use of a sensitive scope is in the audit trail.
        </p>
      </div>
      <ApiKeysManager
        tenantId={actor.tenantId}
        initial={keys}
        scopes={API_KEY_SCOPES.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] }))}
        maxExpiryDate={latestExpiry(new Date()).toISOString().slice(0, 10)}
      />
    </div>
  );
}
