// A rendered notification email sent over real SMTP to the local mail catcher (mocks/mail), read back over HTTP as
// a person (the catcher's pages) and a test (its JSON API) would.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { renderNotificationEmail } from "@/lib/notifications/email/render";
import { EmailSendError, resetMailTransportForTests, sendEmail } from "@/lib/notifications/email/send-email";
import { startMailCatcher, type CaughtMail, type MailCatcher } from "@/mocks/mail/catcher";

const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM, NODE_ENV: process.env.NODE_ENV };
let catcher: MailCatcher;

function setEnv(values: Partial<Record<keyof typeof saved, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvForTests();
  resetMailTransportForTests();
}

beforeAll(async () => {
  catcher = await startMailCatcher();
});
beforeEach(() => {
  setEnv({ SMTP_URL: catcher.smtpUrl, MAIL_FROM: "QuickBooks Connect <notifications@example.test>" });
  catcher.clear();
});
afterAll(async () => {
  setEnv(saved);
  await catcher.stop();
});

function reconnectEmail() {
  return renderNotificationEmail({
    type: "connection.reauthorization_required",
    data: { environment: "sandbox", realmId: "9341452000000002", reason: "invalid_grant", message: "Intuit no longer accepts the authorization." },
    tenantName: "Acme Ltd",
    appUrl: "http://localhost:3000",
    recipientName: "Dana Admin",
    eventId: 77,
    occurredAt: new Date("2026-12-07T09:30:00.000Z"),
  });
}

async function caughtOverHttp(): Promise<CaughtMail[]> {
  const response = await fetch(`${catcher.webUrl}/api/messages`);
  expect(response.status).toBe(200);
  return (await response.json()) as CaughtMail[];
}

describe("sendEmail", () => {
  it("delivers a rendered notification email to the SMTP server", async () => {
    const email = reconnectEmail();
    const sent = await sendEmail({ to: "dana@example.test", ...email, messageId: "delivery-501", headers: { "X-QBC-Event": "77" } });
    expect(sent).toEqual({ messageId: "<delivery-501@quickbooks-connect>" });

    const [mail, ...others] = await caughtOverHttp();
    expect(others).toEqual([]);
    expect(mail).toMatchObject({
      messageId: "<delivery-501@quickbooks-connect>",
      to: ["dana@example.test"],
      envelope: { from: "notifications@example.test", to: ["dana@example.test"] },
      subject: "[Acme Ltd] QuickBooks needs to be reconnected",
      text: email.text,
      html: email.html,
    });
    expect(mail?.from).toContain("notifications@example.test");
    expect(mail?.headers["x-qbc-event"]).toBe("77");
    expect(mail?.text).toContain("What to do: Reconnect: http://localhost:3000/quickbooks/reconnect?realmId=9341452000000002");
    expect(mail?.html).toMatch(/<a href="http:\/\/localhost:3000\/quickbooks\/reconnect\?realmId=9341452000000002"[^>]*>Reconnect<\/a>/);
  });

  it("shows the email on the catcher's pages with its Reconnect link", async () => {
    await sendEmail({ to: "dana@example.test", ...reconnectEmail(), messageId: "delivery-502" });
    const [mail] = await caughtOverHttp();

    const list = await (await fetch(`${catcher.webUrl}/`)).text();
    expect(list).toContain(`<a href="/messages/${mail?.id}">[Acme Ltd] QuickBooks needs to be reconnected</a>`);
    const detail = await (await fetch(`${catcher.webUrl}/messages/${mail?.id}`)).text();
    expect(detail).toContain(`<li><a href="http://localhost:3000/quickbooks/reconnect?realmId=9341452000000002">Reconnect</a></li>`);
    expect(detail).toContain(`<li><a href="http://localhost:3000/integrations/quickbooks/notifications">your notification settings</a></li>`);
  });

  it("sends a retried delivery with the same Message-ID", async () => {
    const email = { to: "dana@example.test", ...reconnectEmail(), messageId: "delivery-503" };
    await sendEmail(email);
    await sendEmail(email);
    const ids = (await caughtOverHttp()).map((m) => m.messageId);
    expect(ids).toEqual(["<delivery-503@quickbooks-connect>", "<delivery-503@quickbooks-connect>"]);
  });

  it("refuses a message id that could not be a Message-ID", async () => {
    await expect(sendEmail({ to: "dana@example.test", ...reconnectEmail(), messageId: "a>b\r\nBcc: x@example.test" })).rejects.toMatchObject({
      code: "EMESSAGEID",
    });
    expect(catcher.messages()).toEqual([]);
  });

  it("fails with a clear error when no SMTP server is configured", async () => {
    setEnv({ NODE_ENV: "production", SMTP_URL: undefined, MAIL_FROM: undefined });
    try {
      const attempt = sendEmail({ to: "dana@example.test", ...reconnectEmail(), messageId: "delivery-504" });
      await expect(attempt).rejects.toThrow(/Email is not configured: set SMTP_URL/);
      await expect(attempt).rejects.toBeInstanceOf(EmailSendError);
    } finally {
      setEnv({ NODE_ENV: saved.NODE_ENV });
    }
  });

  it("fails as transient when the SMTP server is not there", async () => {
    const stopped = await startMailCatcher();
    await stopped.stop();
    setEnv({ SMTP_URL: stopped.smtpUrl });
    const error = await sendEmail({ to: "dana@example.test", ...reconnectEmail(), messageId: "delivery-505" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailSendError);
    expect(error).toMatchObject({ permanent: false, code: "ESOCKET" });
  });
});
