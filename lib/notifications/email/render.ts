import { describeEvent, type EventData, type EventType } from "@/lib/notifications/events";

// The notification email (issue 18): one event, told to one person, as a plain-text part and an HTML part that say
// the same thing. Pure: the sender (send-email.ts) and the outbox decide when and to whom. Only describeEvent's words
// go in, so nothing the vocabulary keeps out of its text (a token, a code, a secret) can reach an inbox.

/** The console page where a person turns each kind of notification email on or off. */
export const NOTIFICATION_SETTINGS_PATH = "/integrations/quickbooks/notifications";

export interface RenderNotificationEmailInput<T extends EventType = EventType> {
  type: T;
  data: EventData[T];
  /** The tenant's display name: shown in front of the subject, so someone in several tenants knows which one. */
  tenantName: string;
  /** The app's public origin (env().appUrl); the email's links are absolute. */
  appUrl: string;
  recipientName: string | null;
  eventId: number;
  occurredAt: Date;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** "2026-12-07 09:30:00 UTC": the instant in UTC, readable in any time zone. */
function utcTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** What both parts say, each value still raw: the text part uses it as is, the HTML part escapes every one. */
function emailContent(input: RenderNotificationEmailInput) {
  const event = describeEvent(input.type, input.data);
  const origin = input.appUrl.replace(/\/+$/, "");
  return {
    // A header is one line: a tenant name pasted with a line break must not break the subject.
    subject: `[${input.tenantName}] ${event.title}`.replace(/\s+/g, " "),
    title: event.title,
    greeting: input.recipientName ? `Hello ${input.recipientName},` : "Hello,",
    body: event.body,
    action: { label: event.action.label, url: `${origin}${event.action.path}` },
    when: utcTime(input.occurredAt),
    why: `You get this email because your role in ${input.tenantName} on QuickBooks Connect lets you act on it.`,
    settingsUrl: `${origin}${NOTIFICATION_SETTINGS_PATH}`,
    reference: `Event ${input.eventId}`,
  };
}

type EmailContent = ReturnType<typeof emailContent>;

function textPart(c: EmailContent): string {
  return [
    c.greeting,
    "",
    c.title,
    "",
    c.body,
    "",
    `What to do: ${c.action.label}: ${c.action.url}`,
    "",
    `When: ${c.when}`,
    "",
    "--",
    c.why,
    `To stop emails of this kind, turn them off at ${c.settingsUrl}`,
    c.reference,
    "",
  ].join("\n");
}

// Inline styles only: most email clients drop <style> and every external stylesheet.
const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;";
const PARAGRAPH = `${FONT}font-size:15px;line-height:1.5;color:#1f2328;margin:0 0 16px;`;
const SMALL = `${FONT}font-size:12px;line-height:1.5;color:#5b6573;margin:0 0 8px;`;
const BUTTON =
  `${FONT}display:inline-block;background:#1b7a12;color:#ffffff;font-size:15px;font-weight:600;` +
  "text-decoration:none;padding:10px 20px;border-radius:4px;";

function htmlPart(c: EmailContent): string {
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(c.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f8;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f8;padding:24px 0;">
<tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;width:100%;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;">
<p style="${PARAGRAPH}">${e(c.greeting)}</p>
<h1 style="${FONT}font-size:20px;line-height:1.3;color:#1f2328;margin:0 0 16px;">${e(c.title)}</h1>
<p style="${PARAGRAPH}">${e(c.body)}</p>
<p style="margin:24px 0;"><a href="${e(c.action.url)}" style="${BUTTON}">${e(c.action.label)}</a></p>
<p style="${SMALL}">Or open this address: <a href="${e(c.action.url)}" style="color:#0077c5;">${e(c.action.url)}</a></p>
<p style="${SMALL}">When: ${e(c.when)}</p>
<hr style="border:none;border-top:1px solid #d8dde3;margin:24px 0;">
<p style="${SMALL}">${e(c.why)}</p>
<p style="${SMALL}">To stop emails of this kind, turn them off in <a href="${e(c.settingsUrl)}" style="color:#0077c5;">your notification settings</a>.</p>
<p style="${SMALL}">${e(c.reference)}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

/** The email for one event and one recipient: subject, plain-text part and HTML part. */
export function renderNotificationEmail<T extends EventType>(input: RenderNotificationEmailInput<T>): RenderedEmail {
  const content = emailContent(input as RenderNotificationEmailInput);
  return { subject: content.subject, text: textPart(content), html: htmlPart(content) };
}
