import { describe, expect, it } from "vitest";
import { describeEvent, EVENT_TYPES, type EventData, type EventType } from "@/lib/notifications/events";
import { escapeHtml, renderNotificationEmail, type RenderNotificationEmailInput } from "./render";

const SAMPLES: { [T in EventType]: EventData[T] } = {
  "connection.connected": { environment: "sandbox", realmId: "9341452000000002" },
  "connection.reauthorization_required": {
    environment: "production",
    realmId: "9341452000000002",
    reason: "invalid_grant",
    message: "Intuit no longer accepts the authorization.",
  },
  "connection.disconnected": { environment: "sandbox", realmId: null, by: "quickbooks" },
  "connection.recovered": { environment: "sandbox", realmId: "9341452000000002" },
  "refresh_token.hard_expiry_approaching": {
    environment: "production",
    realmId: "9341452000000002",
    expiresAt: "2027-01-05T10:00:00.000Z",
    daysLeft: 14,
  },
  "webhooks.dead_lettered": { environment: null, events: 3 },
  "webhooks.signature_failures": { failures: 12, since: "2026-12-07T08:00:00.000Z" },
  "reconciliation.differences": { reconciliationId: 42, period: "2026-11", environment: "sandbox", unexplained: 2 },
  "sync.failed": { runId: 7, environment: "sandbox", realmId: "9341452000000002", message: "Intuit answered 500." },
  "usage.quota_threshold": { threshold: 80, reads: 400_000, quota: 500_000, month: "2026-12" },
};

function input<T extends EventType>(type: T, overrides: Partial<RenderNotificationEmailInput<T>> = {}): RenderNotificationEmailInput<T> {
  return {
    type,
    data: SAMPLES[type],
    tenantName: "Acme Ltd",
    appUrl: "https://app.example.com",
    recipientName: "Dana",
    eventId: 1234,
    occurredAt: new Date("2026-12-07T09:30:15.000Z"),
    ...overrides,
  };
}

/** The href of every link in an HTML string, unescaped. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => (m[1] ?? "").replace(/&amp;/g, "&"));
}

describe("renderNotificationEmail", () => {
  it.each(EVENT_TYPES)("renders both parts for %s", (type) => {
    const event = describeEvent(type, SAMPLES[type]);
    const email = renderNotificationEmail(input(type));
    const actionUrl = `https://app.example.com${event.action.path}`;

    expect(email.subject).toBe(`[Acme Ltd] ${event.title}`);
    expect(email.text).toContain("Hello Dana,");
    expect(email.text).toContain(event.body);
    expect(email.text).toContain(`What to do: ${event.action.label}: ${actionUrl}`);
    expect(email.text).toContain("When: 2026-12-07 09:30:15 UTC");
    expect(email.text).toContain("turn them off at https://app.example.com/integrations/quickbooks/notifications");
    expect(email.text).toContain("Event 1234");

    expect(email.html).toMatch(/^<!doctype html>/);
    expect(email.html).toContain(escapeHtml(event.title));
    expect(email.html).toContain(escapeHtml(event.body));
    expect(email.html).toContain(`>${escapeHtml(event.action.label)}</a>`);
    expect(hrefs(email.html)).toContain(actionUrl);
    expect(hrefs(email.html)).toContain("https://app.example.com/integrations/quickbooks/notifications");
  });

  it("escapes every value it puts in the HTML part", () => {
    const email = renderNotificationEmail(
      input("connection.reauthorization_required", {
        tenantName: `<script>alert("x")</script> & Co`,
        recipientName: `<img src=x onerror="alert(1)">`,
        data: { environment: "sandbox", realmId: "1", reason: "r", message: `<b>bold</b> "quoted" 'single'` },
      }),
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<img");
    expect(email.html).not.toContain("<b>");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co");
    expect(email.html).toContain("&lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot; &#39;single&#39;");
    // The text part is plain text: no escaping, shown as written.
    expect(email.subject).toBe(`[<script>alert("x")</script> & Co] QuickBooks needs to be reconnected`);
    expect(email.text).toContain(`Hello <img src=x onerror="alert(1)">,`);
  });

  it("links to absolute URLs on the app, whatever the trailing slash of appUrl", () => {
    const email = renderNotificationEmail(input("sync.failed", { appUrl: "https://app.example.com/" }));
    const links = hrefs(email.html);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toMatch(/^https:\/\/app\.example\.com\/integrations\/quickbooks/);
    expect(links).toContain("https://app.example.com/integrations/quickbooks/mappings");
    expect(email.text).toContain("Retry: https://app.example.com/integrations/quickbooks/mappings");
  });

  it("greets without a name when the recipient has none", () => {
    const email = renderNotificationEmail(input("connection.connected", { recipientName: null }));
    expect(email.text.startsWith("Hello,\n")).toBe(true);
    expect(email.html).toContain(">Hello,</p>");
  });

  it("keeps the subject on one line", () => {
    const email = renderNotificationEmail(input("connection.connected", { tenantName: "Acme\r\nBcc: someone@example.com" }));
    expect(email.subject).toBe("[Acme Bcc: someone@example.com] QuickBooks is connected");
  });
});
