/**
 * What each failure means to the person at the console, keyed by the stable codes written in the logs and sent in
 * redirects. Intuit's raw error text is never shown.
 */
export const CALLBACK_MESSAGES: Record<string, string> = {
  connected: "QuickBooks is connected and verified.",
  verify_failed: "QuickBooks sent the authorization, but the test call to QuickBooks failed. See the Verify step.",
  missing_state: "The answer from Intuit had no state, so it could not be matched to a connect request. Start again.",
  state_unknown: "The answer from Intuit did not match any connect request from this app. Start again.",
  state_reused: "This answer from Intuit was already used. Your connection is shown below; nothing was changed.",
  state_expired: "The connect request expired after 10 minutes. Click “Connect to QuickBooks” to start again.",
  state_foreign: "This answer from Intuit belongs to a connect request started by another user or tenant. Nothing was changed.",
  access_denied: "The connection was cancelled at Intuit. Click “Connect to QuickBooks” when you are ready to authorize.",
  invalid_scope: "Intuit refused the requested permissions. Check the app's scopes in Intuit's developer portal.",
  authorization_error: "Intuit reported an error during authorization. Start again; if it persists, check the app settings.",
  invalid_callback: "The answer from Intuit was incomplete (no authorization code or company id). Start again.",
  realm_in_use: "That QuickBooks company is already connected to another tenant. Disconnect it there first.",
  realm_not_authorized:
    "The QuickBooks company named in Intuit's answer is not one this authorization opens, so nothing was connected and the authorization was revoked. Click “Connect to QuickBooks” to start again.",
  company_unconfirmed: "QuickBooks could not confirm the company just now, so your connection was left as it was. Try again in a few minutes.",
  invalid_grant: "Intuit refused the authorization code (it may have expired or been used already). Start again.",
  invalid_client: "Intuit refused the app's credentials. An admin should check the client id and secret.",
  intuit_unavailable: "Intuit could not be reached. Try again in a few minutes.",
  token_exchange_failed: "Intuit did not return tokens for this authorization. Start again.",
  discovery_unavailable: "Intuit's configuration document could not be loaded, so the connect flow could not start. Try again in a few minutes.",
  forbidden: "Your role does not allow connecting QuickBooks for this tenant.",
  cross_origin_request: "The request did not come from this console. Start again from the console.",
  // The Connect link names the tenant its page was for (lib/http/tenant-binding.ts); this console shows the session's.
  tenant_mismatch: "That Connect button was on a page for another tenant than the one your session acts for now (shown here). Nothing was started: connect from this page if this is the tenant you meant.",
  tenant_required: "That Connect link did not say which tenant it was for, so nothing was started. Use “Connect to QuickBooks” on this page.",
};

export function callbackMessage(code: string): string {
  return CALLBACK_MESSAGES[code] ?? CALLBACK_MESSAGES.authorization_error!;
}
