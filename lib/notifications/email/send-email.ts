import "server-only";
import nodemailer, { type Transporter } from "nodemailer";
import SMTPTransport from "nodemailer/lib/smtp-transport";
import { env } from "@/lib/env";

// Sends one notification email over SMTP (SMTP_URL; in development the local mail catcher, mocks/mail). The outbox
// decides what to send and when to retry; this only hands a message to the SMTP server, within bounded time.

export interface SendEmailOptions {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The delivery's stable id: the Message-ID becomes `<{messageId}@quickbooks-connect>`, so a re-send of the same
   * delivery carries the same Message-ID and a mail client can show it once. Letters, digits and `._-+%` only.
   */
  messageId: string;
  headers?: Record<string, string>;
}

export interface SendEmailResult {
  /** The Message-ID header sent, angle brackets included. */
  messageId: string;
}

/**
 * Why an email was not sent. `permanent` when the SMTP server refused it for good (a 5xx answer: no such mailbox, a
 * rejected sender): sending it again would fail again. Everything else (no answer, a time-out, a 4xx) may pass later.
 */
export class EmailSendError extends Error {
  readonly code: string;
  readonly responseCode: number | undefined;
  readonly permanent: boolean;

  constructor(message: string, options: { code: string; responseCode?: number; permanent: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "EmailSendError";
    this.code = options.code;
    this.responseCode = options.responseCode;
    this.permanent = options.permanent;
  }
}

/** An SMTP server that does not answer within 10 s is down for this attempt; the outbox tries again later. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as const;
const MESSAGE_ID_DOMAIN = "quickbooks-connect";

let cached: { url: string; transporter: Transporter<SMTPTransport.SentMessageInfo> } | undefined;

/** One transport per SMTP URL (a changed URL in tests gets a new one). Options in the URL's query win over ours. */
function transportFor(url: string): Transporter<SMTPTransport.SentMessageInfo> {
  if (cached?.url !== url) {
    cached?.transporter.close();
    cached = { url, transporter: nodemailer.createTransport(new SMTPTransport({ url, ...SMTP_TIMEOUTS })) };
  }
  return cached.transporter;
}

/** Tests point SMTP_URL at a fresh mail catcher between files. */
export function resetMailTransportForTests(): void {
  cached?.transporter.close();
  cached = undefined;
}

function failure(error: unknown): EmailSendError {
  const details = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const responseCode = typeof details.responseCode === "number" ? details.responseCode : undefined;
  const code = typeof details.code === "string" ? details.code : "ESEND";
  const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
  const reason = responseCode !== undefined ? `the SMTP server answered ${responseCode}` : code;
  return new EmailSendError(`The email was not sent: ${reason}`, { code, responseCode, permanent, cause: error });
}

/** Hands one email to the SMTP server. Throws EmailSendError when email is not configured or the server refuses. */
export async function sendEmail(message: SendEmailOptions): Promise<SendEmailResult> {
  const { smtpUrl, from } = env().mail;
  if (smtpUrl === null) {
    throw new EmailSendError("Email is not configured: set SMTP_URL (and MAIL_FROM) to send notification emails", {
      code: "ENOTCONFIGURED",
      permanent: false,
    });
  }
  if (!/^[A-Za-z0-9._%+-]+$/.test(message.messageId)) {
    throw new EmailSendError("The email's message id may hold only letters, digits and ._%+-", { code: "EMESSAGEID", permanent: true });
  }
  const messageId = `<${message.messageId}@${MESSAGE_ID_DOMAIN}>`;
  try {
    await transportFor(smtpUrl).sendMail({
      from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      headers: message.headers,
    });
  } catch (error) {
    throw failure(error);
  }
  return { messageId };
}
