// The mail catcher over real SMTP and HTTP, fed by nodemailer as the app feeds it.

import nodemailer from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMailCatcher, type CaughtMail, type MailCatcher } from "./catcher";

let catcher: MailCatcher;

beforeAll(async () => {
  catcher = await startMailCatcher();
});
afterAll(async () => {
  await catcher.stop();
});
beforeEach(() => {
  catcher.clear();
});

function send(message: nodemailer.SendMailOptions, url = catcher.smtpUrl) {
  return nodemailer.createTransport(url).sendMail({ from: "App <app@example.test>", ...message });
}

describe("mail catcher", () => {
  it("listens on free ports and reports them", () => {
    expect(catcher.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(catcher.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(catcher.smtpUrl).not.toMatch(/:0$/);
  });

  it("keeps each message, parsed, newest first", async () => {
    await send({ to: "first@example.test", subject: "First", text: "one" });
    await send({
      to: ["a@example.test", "Bee <b@example.test>"],
      subject: "Second",
      text: "two",
      html: "<p>two</p>",
      messageId: "<second@test>",
      headers: { "X-Notification-Event": "42" },
    });

    const [newest, oldest] = catcher.messages();
    expect(catcher.messages()).toHaveLength(2);
    expect(oldest).toMatchObject({ id: "1", subject: "First", to: ["first@example.test"], text: "one\n", html: null });
    expect(newest).toMatchObject({
      id: "2",
      messageId: "<second@test>",
      from: '"App" <app@example.test>',
      to: ["a@example.test", "b@example.test"],
      envelope: { from: "app@example.test", to: ["a@example.test", "b@example.test"] },
      subject: "Second",
      html: "<p>two</p>",
    });
    expect(newest?.headers["x-notification-event"]).toBe("42");
    expect(Date.parse(newest?.date ?? "")).not.toBeNaN();
  });

  it("accepts any login", async () => {
    const url = catcher.smtpUrl.replace("smtp://", "smtp://someone:anything@");
    await send({ to: "x@example.test", subject: "With login", text: "hi" }, url);
    expect(catcher.messages()[0]?.subject).toBe("With login");
  });

  it("waits for a message that has not arrived yet, and times out", async () => {
    const waiting = catcher.waitFor((m) => m.subject === "Later");
    await send({ to: "x@example.test", subject: "Other", text: "-" });
    await send({ to: "x@example.test", subject: "Later", text: "-" });
    expect((await waiting).subject).toBe("Later");
    await expect(catcher.waitFor((m) => m.subject === "Never", 50)).rejects.toThrow(/within 50 ms/);
  });

  it("serves the messages as JSON and forgets them on DELETE", async () => {
    await send({ to: "x@example.test", subject: "Over HTTP", text: "hi" });
    const list = (await (await fetch(`${catcher.webUrl}/api/messages`)).json()) as CaughtMail[];
    expect(list.map((m) => m.subject)).toEqual(["Over HTTP"]);
    const one = await fetch(`${catcher.webUrl}/api/messages/${list[0]?.id}`);
    expect(((await one.json()) as CaughtMail).subject).toBe("Over HTTP");

    expect((await fetch(`${catcher.webUrl}/api/messages`, { method: "DELETE" })).status).toBe(204);
    expect(await (await fetch(`${catcher.webUrl}/api/messages`)).json()).toEqual([]);
    expect(catcher.messages()).toEqual([]);
  });

  it("shows the list and each message as escaped HTML, with the HTML part's web links clickable", async () => {
    await send({
      to: "x@example.test",
      subject: `<script>alert(1)</script> Reconnect`,
      text: "Text <b>part</b>",
      html: `<p>Hi</p><a href="https://app.example.test/integrations?a=1&amp;b=2"><span>Reconnect</span></a> <a href="javascript:alert(1)">Bad</a>`,
    });
    const id = catcher.messages()[0]?.id;

    const list = await fetch(`${catcher.webUrl}/`);
    expect(list.headers.get("content-type")).toContain("text/html");
    const listHtml = await list.text();
    expect(listHtml).toContain("<h1>Mail catcher</h1>");
    expect(listHtml).toContain(`<a href="/messages/${id}">&lt;script&gt;alert(1)&lt;/script&gt; Reconnect</a>`);
    expect(listHtml).not.toContain("<script>");

    const detail = await (await fetch(`${catcher.webUrl}/messages/${id}`)).text();
    expect(detail).not.toContain("<script>");
    expect(detail).toContain("<pre>Text &lt;b&gt;part&lt;/b&gt;</pre>");
    expect(detail).toContain(`<li><a href="https://app.example.test/integrations?a=1&amp;b=2">Reconnect</a></li>`);
    expect(detail).not.toContain(`<a href="javascript:`);
    expect(detail).toMatch(/<iframe sandbox="" title="HTML part of the message" srcdoc="&lt;p&gt;Hi&lt;\/p&gt;/);
  });

  it("answers 404 for an unknown message and 405 for other methods", async () => {
    expect((await fetch(`${catcher.webUrl}/messages/999`)).status).toBe(404);
    expect((await fetch(`${catcher.webUrl}/api/messages/999`)).status).toBe(404);
    expect((await fetch(`${catcher.webUrl}/api/messages`, { method: "POST" })).status).toBe(405);
  });
});
